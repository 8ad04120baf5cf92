/** What happened to a task: ids only, so no task data crosses a process or rides on NOTIFY. */
export type TaskChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

export interface TaskChange {
  kind: TaskChangeKind;
  userId: string;
  taskId: string;
  /** ISO 8601 time of the commit, as seen by the process that made it. */
  at: string;
}

const KINDS = new Set<string>(['CREATED', 'UPDATED', 'DELETED']);

/** Changes arriving from another process are checked before they are routed to anyone. */
export function isTaskChange(value: unknown): value is TaskChange {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, userId, taskId, at } = value as Record<string, unknown>;
  return typeof kind === 'string' && KINDS.has(kind) && typeof userId === 'string' && typeof taskId === 'string' && typeof at === 'string';
}

/**
 * Carries changes to the other processes or nodes (cluster IPC, PostgreSQL NOTIFY). The process
 * that made a change delivers it to its own subscribers itself; a relay delivers only the others'.
 */
export interface TaskChangeRelay {
  /** Resolves once changes made elsewhere will reach this process (e.g. LISTEN is active). */
  ready(): Promise<void>;
  send(change: TaskChange): void;
  close(): Promise<void>;
}

export type DeliverTaskChange = (change: TaskChange) => void;
