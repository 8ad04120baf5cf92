import { useMutation, useQuery } from '@urql/vue';
import { computed, ref, watch, type Ref } from 'vue';
import type { CombinedError } from '@urql/core';
import type { CreateTaskInput, TaskFieldsFragment, TaskFilter, TaskOrder, TaskStatus, UpdateTaskInput } from '../gql/graphql';
import { SessionEndedError } from '../lib/accessToken';
import { isAuthError } from '../lib/graphqlClient';
import { OPTIMISTIC_ID_PREFIX } from '../lib/taskCache';
import { CreateTaskMutation, DeleteTaskMutation, TaskListQuery, ToggleTaskMutation, UpdateTaskMutation } from '../lib/taskDocuments';
import { useNotices } from './useNotices';

export type Task = TaskFieldsFragment;

export const PAGE_SIZE = 20;

export type SortKey = 'newest' | 'due' | 'priority' | 'title';

export const SORT_OPTIONS: ReadonlyArray<{ value: SortKey; label: string; order: TaskOrder }> = [
  { value: 'newest', label: 'Newest first', order: { field: 'CREATED_AT', direction: 'DESC' } },
  { value: 'due', label: 'Due date', order: { field: 'DUE_DATE', direction: 'ASC' } },
  { value: 'priority', label: 'Priority', order: { field: 'PRIORITY', direction: 'DESC' } },
  { value: 'title', label: 'Title', order: { field: 'TITLE', direction: 'ASC' } },
];

export const STATUS_OPTIONS: ReadonlyArray<{ value: TaskStatus; label: string }> = [
  { value: 'ALL', label: 'All' },
  { value: 'ACTIVE', label: 'Active' },
  { value: 'COMPLETED', label: 'Completed' },
];

export interface TaskView {
  status: TaskStatus;
  sort: SortKey;
  search: string;
}

function filterFor(view: TaskView): TaskFilter {
  const search = view.search.trim();
  // Only the keys in use: the cache keys lists by these arguments.
  return search ? { status: view.status, search } : { status: view.status };
}

function orderFor(sort: SortKey): TaskOrder {
  return (SORT_OPTIONS.find((option) => option.value === sort) ?? SORT_OPTIONS[0]!).order;
}

/** A message for people, from an API error (the server's own message for input and access errors). */
export function describeError(error: CombinedError): string {
  if (error.networkError) return 'Could not reach Taskfort. Check your connection.';
  const [first] = error.graphQLErrors;
  const code = first?.extensions?.code;
  if (code === 'NOT_FOUND') return 'That task no longer exists.';
  if (code === 'FORBIDDEN') return 'You do not have access to that task.';
  if (code === 'UNAUTHENTICATED') return 'Your session has ended. Please sign in again.';
  // These messages are written for people and say what to do (delete some tasks, retry in N s).
  if ((code === 'BAD_USER_INPUT' || code === 'TASK_LIMIT_REACHED' || code === 'RATE_LIMITED') && first) return first.message;
  if (code === 'SERVICE_UNAVAILABLE') return 'Taskfort is briefly unavailable. Try again in a moment.';
  return 'Something went wrong on the server.';
}

/**
 * One view of the user's tasks (status filter, sort, search) over the API's Relay connection,
 * with "Load more" paging; Graphcache merges the pages into one list.
 */
export function useTaskList(view: Ref<TaskView>) {
  const after = ref<string | null>(null);
  const filter = computed(() => filterFor(view.value));
  const orderBy = computed(() => orderFor(view.value.sort));
  const viewKey = computed(() => JSON.stringify([filter.value, orderBy.value]));
  // A new view starts from its first page (earlier pages it had stay cached and merged).
  watch(viewKey, () => (after.value = null));

  const query = useQuery({
    query: TaskListQuery,
    variables: computed(() => ({ filter: filter.value, orderBy: orderBy.value, first: PAGE_SIZE, after: after.value })),
  });

  /** The result on screen belongs to the view asked for (not the previous filter still loading). */
  const isCurrent = computed(() => {
    const variables = query.operation.value?.variables;
    return variables !== undefined && JSON.stringify([variables.filter, variables.orderBy]) === viewKey.value;
  });
  const connection = computed(() => (isCurrent.value ? query.data.value?.tasks : undefined));
  const tasks = computed<Task[]>(() => connection.value?.edges.map((edge) => edge.node) ?? []);
  const totalCount = computed(() => connection.value?.totalCount ?? 0);
  const hasNextPage = computed(() => connection.value?.pageInfo.hasNextPage ?? false);
  const isLoadingMore = computed(() => query.fetching.value && after.value !== null && connection.value !== undefined);
  const isLoading = computed(() => connection.value === undefined && !query.error.value);
  const error = computed(() => (connection.value === undefined ? query.error.value : undefined));

  function loadMore() {
    const edges = connection.value?.edges ?? [];
    // The last task the server placed: a task added here since has no server cursor yet.
    const last = [...edges].reverse().find((edge) => edge.cursor && !edge.node.id.startsWith(OPTIMISTIC_ID_PREFIX));
    const cursor = last?.cursor ?? connection.value?.pageInfo.endCursor ?? null;
    if (cursor && cursor !== after.value) after.value = cursor;
    else query.executeQuery({ requestPolicy: 'network-only' });
  }

  function retry() {
    query.executeQuery({ requestPolicy: 'network-only' });
  }

  return { tasks, totalCount, hasNextPage, isLoading, isLoadingMore, error, loadMore, retry, filter };
}

export type UpdateOutcome = 'saved' | 'refused' | 'gone';

/** Task changes: each one is applied optimistically; a refusal is rolled back and explained. */
export function useTaskActions() {
  const { showError } = useNotices();
  const create = useMutation(CreateTaskMutation);
  const update = useMutation(UpdateTaskMutation);
  const toggle = useMutation(ToggleTaskMutation);
  const remove = useMutation(DeleteTaskMutation);

  function report(action: string, error: CombinedError | undefined): boolean {
    if (!error) return true;
    // A lost session is explained on the sign-in page the user is sent to.
    if (error.networkError instanceof SessionEndedError || isAuthError(error)) return false;
    showError(`Could not ${action}: ${describeError(error)} Your change was undone.`);
    return false;
  }

  return {
    async createTask(input: CreateTaskInput) {
      const result = await create.executeMutation({ input });
      return report(`add “${input.title.trim()}”`, result.error);
    },
    /** `gone`: the task no longer exists (deleted elsewhere); the caller explains that, nothing else is said. */
    async updateTask(task: Task, input: UpdateTaskInput): Promise<UpdateOutcome> {
      const result = await update.executeMutation({ id: task.id, input });
      if (result.error?.graphQLErrors.some((error) => error.extensions?.code === 'NOT_FOUND')) return 'gone';
      return report(`save “${task.title}”`, result.error) ? 'saved' : 'refused';
    },
    async toggleTask(task: Task) {
      const result = await toggle.executeMutation({ id: task.id });
      return report(task.completed ? `reopen “${task.title}”` : `complete “${task.title}”`, result.error);
    },
    async deleteTask(task: Task) {
      const result = await remove.executeMutation({ id: task.id });
      return report(`delete “${task.title}”`, result.error);
    },
  };
}
