import { nextTick, onMounted } from 'vue';

/**
 * Moves focus to `target` (a page's first field, or its main heading) once the page is shown,
 * unless something on it already has focus. After a navigation the control that was used (the
 * sign-in button, a header link) has gone with the old page and focus would be on <body>: keyboard
 * and screen-reader users start from the top of the new page instead.
 */
export function useFocusOnArrival(target: () => HTMLElement | null | undefined): void {
  onMounted(async () => {
    await nextTick();
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    target()?.focus();
  });
}
