import { readonly, ref } from 'vue';

export type NoticeKind = 'error' | 'info';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

const notices = ref<Notice[]>([]);
let nextId = 1;
const INFO_LIFETIME_MS = 6000;
const MAX_NOTICES = 4;

function dismiss(id: number) {
  notices.value = notices.value.filter((notice) => notice.id !== id);
}

function show(kind: NoticeKind, text: string): number {
  const id = nextId++;
  notices.value = [...notices.value, { id, kind, text }].slice(-MAX_NOTICES);
  // Errors stay until dismissed, so nobody misses that a change was undone.
  if (kind === 'info') setTimeout(() => dismiss(id), INFO_LIFETIME_MS);
  return id;
}

/** App-wide messages: errors are announced with role="alert", information with role="status". */
export function useNotices() {
  return {
    notices: readonly(notices),
    showError: (text: string) => show('error', text),
    showInfo: (text: string) => show('info', text),
    dismiss,
    clear: () => (notices.value = []),
  };
}
