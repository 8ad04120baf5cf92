import { nextTick, onScopeDispose, toValue, watch, type Ref, type WatchSource } from 'vue';

interface ModalDialogHooks<T> {
  /** Runs each time `source` turns truthy, before the dialog shows (fill or reset its form). */
  prepare?: (value: NonNullable<T>) => void;
  /** Where focus goes once the dialog is shown. */
  focus: (element: HTMLDialogElement) => void;
  /** After the dialog closed; closing has already returned focus to where it was before. */
  closed?: () => void;
}

/** The element the app is mounted in (client/index.html); dialogs are teleported out of it, to <body>. */
const APP_ROOT_ID = 'app';
const openDialogs = new Set<HTMLDialogElement>();

/**
 * showModal() makes the rest of the page inert, but not every tool goes by that (Playwright's role
 * queries, some screen readers' virtual cursors): while a modal is open the app behind it is also
 * hidden outright.
 */
function hideAppWhileModalOpen() {
  const root = document.getElementById(APP_ROOT_ID);
  if (!root) return;
  if (openDialogs.size > 0) {
    root.setAttribute('aria-hidden', 'true');
    root.setAttribute('inert', '');
  } else {
    root.removeAttribute('aria-hidden');
    root.removeAttribute('inert');
  }
}

/**
 * Drives a native modal <dialog> (focus trap, Escape → `cancel` event, focus restored on close)
 * from a prop: shown while `source` is truthy, closed when it turns falsy. Render the dialog
 * through <Teleport to="body">, outside the app root this hides.
 */
export function useModalDialog<T>(dialog: Ref<HTMLDialogElement | null>, source: WatchSource<T>, hooks: ModalDialogHooks<T>): void {
  let shown: HTMLDialogElement | null = null;

  function release() {
    if (!shown) return;
    openDialogs.delete(shown);
    shown = null;
    hideAppWhileModalOpen();
  }

  // Chrome closes a dialog by itself on a second Escape with no click or key press in between (its
  // `cancel` event then cannot be prevented). The owner has had that `cancel`; if it keeps the
  // dialog open (a request is under way), show it again.
  async function onBrowserClose() {
    await nextTick();
    const element = dialog.value;
    if (shown && element && !element.open && toValue(source)) {
      element.showModal();
      hooks.focus(element);
    }
  }

  watch(
    dialog,
    (element, _previous, onCleanup) => {
      element?.addEventListener('close', onBrowserClose);
      onCleanup(() => element?.removeEventListener('close', onBrowserClose));
    },
    { immediate: true, flush: 'post' },
  );

  watch(
    source,
    async (value) => {
      await nextTick();
      const element = dialog.value;
      if (!element) return;
      if (value) {
        hooks.prepare?.(value as NonNullable<T>);
        if (!element.open) element.showModal();
        shown = element;
        openDialogs.add(element);
        hideAppWhileModalOpen();
        hooks.focus(element);
      } else if (shown) {
        // The app first: closing returns focus into it, which an inert app would refuse.
        release();
        if (element.open) element.close();
        hooks.closed?.();
      }
    },
    { immediate: true },
  );

  // Leaving the page with a dialog open (a session that ends, say) must not leave the app hidden.
  onScopeDispose(release);
}
