import type { Cache, FieldInfo, Variables } from '@urql/exchange-graphcache';
import type { TaskFieldsFragment, TaskFilter, TaskOrder, TaskPriority } from '../gql/graphql';
import { TaskEdgeLink, TaskFields, TaskListTotalCountQuery } from './taskDocuments';

// Keeps every cached `Query.tasks(...)` list right after a change, without a refetch: the task is
// removed from lists it no longer belongs to and inserted where the server would put it in lists
// it now belongs to, and totalCount follows. These run inside Graphcache `updates`, once on the
// optimistic result (instant feedback) and again on the server's answer; when the server refuses,
// Graphcache drops the optimistic layer and every list is back as it was.

/** The fields that decide whether and where a task appears in a list. */
export type ListedTask = Pick<TaskFieldsFragment, 'id' | 'title' | 'description' | 'completed' | 'priority' | 'dueDate' | 'createdAt'>;

interface TaskListArgs {
  filter?: TaskFilter | null;
  orderBy?: TaskOrder | null;
  first?: number | null;
  after?: string | null;
}

interface CachedPage {
  args: TaskListArgs;
  connectionKey: string;
  edgeKeys: string[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number | null;
}

/** All cached pages of one list (same filter and order), in the order they are displayed. */
interface CachedList {
  filter: TaskFilter | null;
  orderBy: TaskOrder | null;
  pages: CachedPage[];
}

export const PRIORITY_RANK: Record<TaskPriority, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined && entry !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableStringify(entry)}`).join(',')}}`;
}

function asArgs(field: FieldInfo): TaskListArgs {
  return (field.arguments ?? {}) as TaskListArgs;
}

function readPage(cache: Cache, field: FieldInfo): CachedPage | null {
  const connectionKey = cache.resolve('Query', field.fieldKey);
  if (typeof connectionKey !== 'string') return null;
  const edges = cache.resolve(connectionKey, 'edges');
  const pageInfoKey = cache.resolve(connectionKey, 'pageInfo');
  const totalCount = cache.resolve(connectionKey, 'totalCount');
  const hasNextPage = typeof pageInfoKey === 'string' ? cache.resolve(pageInfoKey, 'hasNextPage') === true : false;
  const endCursor = typeof pageInfoKey === 'string' ? cache.resolve(pageInfoKey, 'endCursor') : null;
  return {
    args: asArgs(field),
    connectionKey,
    edgeKeys: Array.isArray(edges) ? edges.filter((edge): edge is string => typeof edge === 'string') : [],
    hasNextPage,
    endCursor: typeof endCursor === 'string' ? endCursor : null,
    totalCount: typeof totalCount === 'number' ? totalCount : null,
  };
}

/**
 * Pages in the order relayPagination() merges them: a page fetched `after` another page's
 * endCursor follows that page; the rest keep the order they were first cached in.
 */
function orderPages(pages: CachedPage[]): CachedPage[] {
  const byEndCursor = new Map<string, number>();
  pages.forEach((page, index) => page.endCursor && byEndCursor.set(page.endCursor, index));
  const children = pages.map((): number[] => []);
  const hasParent = pages.map(() => false);
  pages.forEach((page, index) => {
    const parent = page.args.after ? byEndCursor.get(page.args.after) : undefined;
    if (parent !== undefined && parent !== index) {
      children[parent]!.push(index);
      hasParent[index] = true;
    }
  });
  const ordered: CachedPage[] = [];
  const seen = new Set<number>();
  const visit = (index: number) => {
    if (seen.has(index)) return;
    seen.add(index);
    ordered.push(pages[index]!);
    children[index]!.forEach(visit);
  };
  pages.forEach((_, index) => !hasParent[index] && visit(index));
  pages.forEach((_, index) => visit(index));
  return ordered;
}

export function cachedTaskLists(cache: Cache): CachedList[] {
  const lists = new Map<string, { filter: TaskFilter | null; orderBy: TaskOrder | null; pages: CachedPage[] }>();
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'tasks') continue;
    const page = readPage(cache, field);
    if (!page) continue;
    const identity = stableStringify({ filter: page.args.filter, orderBy: page.args.orderBy });
    let list = lists.get(identity);
    if (!list) {
      list = { filter: page.args.filter ?? null, orderBy: page.args.orderBy ?? null, pages: [] };
      lists.set(identity, list);
    }
    list.pages.push(page);
  }
  return [...lists.values()].map((list) => ({ ...list, pages: orderPages(list.pages) }));
}

/** Mirrors the server's taskListWhere (server/schema/taskInputs.ts). */
export function matchesFilter(task: ListedTask, filter: TaskFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.status === 'ACTIVE' && task.completed) return false;
  if (filter.status === 'COMPLETED' && !task.completed) return false;
  if (filter.priority && task.priority !== filter.priority) return false;
  if (filter.dueBefore && !(task.dueDate && task.dueDate <= filter.dueBefore)) return false;
  if (filter.dueAfter && !(task.dueDate && task.dueDate >= filter.dueAfter)) return false;
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    const inTitle = task.title.toLowerCase().includes(search);
    const inDescription = (task.description ?? '').toLowerCase().includes(search);
    if (!inTitle && !inDescription) return false;
  }
  return true;
}

const compareValues = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Mirrors the server's taskOrderBy: negative when `a` is listed before `b`. */
export function compareTasks(a: ListedTask, b: ListedTask, order: TaskOrder | null | undefined): number {
  const field = order?.field ?? 'CREATED_AT';
  const sign = (order?.direction ?? 'DESC') === 'ASC' ? 1 : -1;
  if (field === 'CREATED_AT') {
    return sign * compareValues(a.createdAt, b.createdAt) || sign * compareValues(a.id, b.id);
  }
  let primary = 0;
  if (field === 'DUE_DATE') {
    // Tasks without a due date come last in both directions.
    if (a.dueDate === null || b.dueDate === null) primary = a.dueDate === b.dueDate ? 0 : a.dueDate === null ? 1 : -1;
    else primary = sign * compareValues(a.dueDate, b.dueDate);
  } else if (field === 'PRIORITY') {
    primary = sign * compareValues(PRIORITY_RANK[a.priority], PRIORITY_RANK[b.priority]);
  } else if (field === 'TITLE') {
    primary = sign * compareValues(a.title, b.title);
  }
  // Ties: newest first, then id, as the server breaks them.
  return primary || -compareValues(a.createdAt, b.createdAt) || -compareValues(a.id, b.id);
}

function readListedTask(cache: Cache, taskKey: string): ListedTask | null {
  return cache.readFragment(TaskFields, taskKey);
}

function nodeKeyOf(cache: Cache, edgeKey: string): string | null {
  const node = cache.resolve(edgeKey, 'node');
  return typeof node === 'string' ? node : null;
}

function containsTask(cache: Cache, list: CachedList, taskKey: string): boolean {
  return list.pages.some((page) => page.edgeKeys.some((edgeKey) => nodeKeyOf(cache, edgeKey) === taskKey));
}

function isComplete(list: CachedList): boolean {
  const last = list.pages.at(-1);
  return last !== undefined && !last.hasNextPage;
}

function setEdges(cache: Cache, page: CachedPage, edgeKeys: string[]) {
  page.edgeKeys = edgeKeys;
  cache.link(page.connectionKey, 'edges', edgeKeys);
}

function adjustTotalCount(cache: Cache, list: CachedList, delta: number) {
  for (const page of list.pages) {
    if (page.totalCount === null) continue;
    const totalCount = Math.max(0, page.totalCount + delta);
    page.totalCount = totalCount;
    cache.updateQuery({ query: TaskListTotalCountQuery, variables: page.args as Variables }, () => ({
      __typename: 'Query',
      tasks: { __typename: 'TaskConnection', totalCount },
    }));
  }
}

function removeFromList(cache: Cache, list: CachedList, taskKey: string) {
  for (const page of list.pages) {
    const kept = page.edgeKeys.filter((edgeKey) => nodeKeyOf(cache, edgeKey) !== taskKey);
    if (kept.length !== page.edgeKeys.length) setEdges(cache, page, kept);
  }
}

/** The edge entity of a task (edges are keyed by their node), created when the task has none yet. */
function edgeKeyFor(cache: Cache, task: ListedTask): string | null {
  const data = { __typename: 'TaskEdge', cursor: '', node: { __typename: 'Task', id: task.id } } as const;
  const edgeKey = cache.keyOfEntity(data);
  if (!edgeKey) return null;
  // A task already listed elsewhere keeps its server cursor; a brand-new one gets an empty
  // cursor, which "Load more" skips (see useTaskList).
  if (typeof cache.resolve(edgeKey, 'node') !== 'string') cache.writeFragment(TaskEdgeLink, data);
  return edgeKey;
}

/**
 * Inserts the task where the server would list it. Returns false when that position lies
 * beyond the loaded pages: the task will arrive with "Load more".
 */
function insertIntoList(cache: Cache, list: CachedList, task: ListedTask): boolean {
  const edgeKey = edgeKeyFor(cache, task);
  if (!edgeKey) return false;
  for (const page of list.pages) {
    for (let index = 0; index < page.edgeKeys.length; index++) {
      const nodeKey = nodeKeyOf(cache, page.edgeKeys[index]!);
      const other = nodeKey ? readListedTask(cache, nodeKey) : null;
      if (other && compareTasks(task, other, list.orderBy) < 0) {
        setEdges(cache, page, [...page.edgeKeys.slice(0, index), edgeKey, ...page.edgeKeys.slice(index)]);
        return true;
      }
    }
  }
  const last = list.pages.at(-1);
  if (!last || last.hasNextPage) return false;
  setEdges(cache, last, [...last.edgeKeys, edgeKey]);
  return true;
}

function invalidateList(cache: Cache, list: CachedList) {
  for (const page of list.pages) cache.invalidate('Query', 'tasks', page.args as Variables);
}

/**
 * After a task was created or changed (its new fields are already in the cache): moves it into,
 * within or out of every cached list. A list that is only partly loaded and did not show the task
 * cannot know whether it counted it before, so it is refetched when next shown.
 */
export function placeTaskInLists(cache: Cache, taskId: string, { isNew }: { isNew: boolean }) {
  const taskKey = cache.keyOfEntity({ __typename: 'Task', id: taskId });
  const task = taskKey ? readListedTask(cache, taskKey) : null;
  if (!taskKey || !task) return;
  for (const list of cachedTaskLists(cache)) {
    const present = containsTask(cache, list, taskKey);
    const matches = matchesFilter(task, list.filter);
    if (present) {
      removeFromList(cache, list, taskKey);
      if (matches) insertIntoList(cache, list, task);
      else adjustTotalCount(cache, list, -1);
    } else if (matches && (isNew || isComplete(list))) {
      insertIntoList(cache, list, task);
      adjustTotalCount(cache, list, +1);
    } else if (!isNew && !isComplete(list)) {
      invalidateList(cache, list);
    }
  }
}

/** After a delete: drops the task from every cached list. */
export function removeTaskFromLists(cache: Cache, taskId: string) {
  const taskKey = cache.keyOfEntity({ __typename: 'Task', id: taskId });
  if (!taskKey) return;
  for (const list of cachedTaskLists(cache)) {
    if (containsTask(cache, list, taskKey)) {
      removeFromList(cache, list, taskKey);
      adjustTotalCount(cache, list, -1);
    } else if (!isComplete(list)) {
      invalidateList(cache, list);
    }
  }
}

/** Whether any cached list shows the task. */
export function isTaskInAnyList(cache: Cache, taskId: string): boolean {
  const taskKey = cache.keyOfEntity({ __typename: 'Task', id: taskId });
  return taskKey !== null && cachedTaskLists(cache).some((list) => containsTask(cache, list, taskKey));
}
