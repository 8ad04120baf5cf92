import { readonly, ref } from 'vue';

export type NoticeKind = 'error' | 'info';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

const notices = ref<Notice[]>([]);
/** A state that lasts until cleared ("Reconnecting…"), shown in the same status region as the notices. */
const ongoingStatus = ref<string | null>(null);
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

/**
 * App-wide messages: errors are announced with role="alert"; information and the ongoing status go
 * to one polite live region (aria-live, not role="status": that stays the page's own status message).
 */
export function useNotices() {
  return {
    notices: readonly(notices),
    ongoingStatus: readonly(ongoingStatus),
    showError: (text: string) => show('error', text),
    showInfo: (text: string) => show('info', text),
    setOngoingStatus: (text: string | null) => (ongoingStatus.value = text),
    dismiss,
    clear: () => (notices.value = []),
  };
}
