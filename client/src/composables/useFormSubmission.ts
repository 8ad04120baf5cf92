import { nextTick, ref } from 'vue';

/**
 * What every form here does around its submit: a `submitted` flag (errors show from the first
 * attempt on), a `pending` flag with a double-submit guard, and one server error shown above the fields.
 */
export function useFormSubmission() {
  const submitted = ref(false);
  const pending = ref(false);
  const serverError = ref<string | null>(null);

  /**
   * Runs `action` unless a submission is under way. `precheck` runs first, before the form turns
   * busy (cheap client-side validation); returning false stops there.
   */
  async function submit(action: () => Promise<void>, precheck?: () => boolean | Promise<boolean>): Promise<void> {
    if (pending.value) return;
    submitted.value = true;
    serverError.value = null;
    if (precheck && !(await precheck())) return;
    pending.value = true;
    try {
      await action();
    } finally {
      pending.value = false;
    }
  }

  return { submitted, pending, serverError, submit };
}

/** Moves focus to the first field marked invalid (within `scope`, a CSS selector) once the DOM shows the errors. */
export async function focusFirstInvalid(scope?: string): Promise<void> {
  await nextTick();
  const selector = scope ? `${scope} [aria-invalid="true"]` : '[aria-invalid="true"]';
  document.querySelector<HTMLInputElement>(selector)?.focus();
}
