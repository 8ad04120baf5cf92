import { nextTick, watch, type Ref, type WatchSource } from 'vue';

interface ModalDialogHooks<T> {
  /** Runs each time `source` turns truthy, before the dialog shows (fill or reset its form). */
  prepare?: (value: NonNullable<T>) => void;
  /** Where focus goes once the dialog is shown. */
  focus: (element: HTMLDialogElement) => void;
  /** After the dialog closed; closing has already returned focus to where it was before. */
  closed?: () => void;
}

/**
 * Drives a native modal <dialog> (focus trap, Escape → `cancel` event, focus restored on close)
 * from a prop: shown while `source` is truthy, closed when it turns falsy.
 */
export function useModalDialog<T>(dialog: Ref<HTMLDialogElement | null>, source: WatchSource<T>, hooks: ModalDialogHooks<T>): void {
  watch(
    source,
    async (value) => {
      await nextTick();
      const element = dialog.value;
      if (!element) return;
      if (value) {
        hooks.prepare?.(value as NonNullable<T>);
        if (!element.open) element.showModal();
        hooks.focus(element);
      } else if (element.open) {
        element.close();
        hooks.closed?.();
      }
    },
    { immediate: true },
  );
}
