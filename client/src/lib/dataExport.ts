import type { Client, OperationResult } from '@urql/core';
import type { ExportTasksQuery as ExportTasksResult } from '../gql/graphql';
import { todayIsoDate } from './dates';
import { ExportTasksQuery, TaskCountQuery } from './exportDocuments';

/** The API's largest page (server/graphql/builder.ts MAX_PAGE_SIZE). */
export const EXPORT_PAGE_SIZE = 100;

type ExportedTaskNode = ExportTasksResult['tasks']['edges'][number]['node'];
export type ExportedTask = Omit<ExportedTaskNode, '__typename'>;

/** The shape of taskfort-export-YYYY-MM-DD.json (documented in the README). */
export interface TaskfortExport {
  exportedAt: string;
  user: { id: string; email: string; name: string };
  tasks: ExportedTask[];
}

export class ExportError extends Error {}

function messageOf(error: { networkError?: Error; graphQLErrors: Array<{ message: string }> }): string {
  if (error.networkError) return 'Could not reach Taskfort. Check your connection and try again.';
  return error.graphQLErrors[0]?.message ?? 'The server refused the request.';
}

/**
 * Every task of the viewer, page by page until hasNextPage is false. The app's cache merges
 * Relay pages into one list, so a page's answer may repeat earlier tasks: keep each id once.
 */
export async function fetchAllTasks(client: Client, pageSize = EXPORT_PAGE_SIZE): Promise<ExportedTask[]> {
  const tasks = new Map<string, ExportedTask>();
  let after: string | null = null;
  for (;;) {
    const result: OperationResult<ExportTasksResult> = await client
      .query(ExportTasksQuery, { first: pageSize, after }, { requestPolicy: 'network-only' })
      .toPromise();
    if (result.error || !result.data) throw new ExportError(result.error ? messageOf(result.error) : 'The server sent no data.');
    for (const { node } of result.data.tasks.edges) {
      const { id, title, description, completed, priority, dueDate, createdAt, updatedAt } = node;
      tasks.set(id, { id, title, description, completed, priority, dueDate, createdAt, updatedAt });
    }
    const { hasNextPage, endCursor } = result.data.tasks.pageInfo;
    if (!hasNextPage || !endCursor || endCursor === after) break;
    after = endCursor;
  }
  return [...tasks.values()];
}

export async function countTasks(client: Client): Promise<number | null> {
  const result = await client.query(TaskCountQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  return result.data?.tasks.totalCount ?? null;
}

/** taskfort-export-YYYY-MM-DD.json, by the user's own calendar day. */
export function exportFileName(now = new Date()): string {
  return `taskfort-export-${todayIsoDate(now)}.json`;
}

export function buildExport(user: TaskfortExport['user'], tasks: ExportedTask[], now = new Date()): TaskfortExport {
  return { exportedAt: now.toISOString(), user: { id: user.id, email: user.email, name: user.name }, tasks };
}

/** Hands the JSON to the browser as a download (a Blob URL: nothing leaves the page). */
export function downloadJson(fileName: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers start the download after click() returns: release the URL a little later.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
