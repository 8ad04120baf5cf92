import { cacheExchange, type Cache, type Data } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import type {
  CreateTaskMutationVariables,
  TaskFieldsFragment,
  ToggleTaskMutationVariables,
  UpdateTaskMutationVariables,
  DeleteTaskMutationVariables,
} from '../gql/graphql';
import { TaskFields } from './taskDocuments';
import { isTaskInAnyList, placeTaskInLists, removeTaskFromLists } from './taskLists';

/** Ids of tasks that exist only in an optimistic layer until the server answers. */
export const OPTIMISTIC_ID_PREFIX = 'optimistic-';
let optimisticCounter = 0;

type TaskData = TaskFieldsFragment & { __typename: 'Task' };

function readTask(cache: Cache, id: string | number): TaskData | null {
  const task = cache.readFragment(TaskFields, { __typename: 'Task', id: String(id) });
  return task ? { __typename: 'Task', ...task } : null;
}

function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'id' in value && typeof value.id === 'string') return value.id;
  return null;
}

/**
 * Graphcache for the task API: normalized tasks, Relay pagination merged into one list, and
 * optimistic results for every mutation so the UI changes before the server answers.
 */
export function taskCacheExchange() {
  return cacheExchange({
    keys: {
      // Connections and page info belong to the field that holds them.
      TaskConnection: () => null,
      PageInfo: () => null,
      // An edge only carries its node and an id-based cursor, the same in every list.
      TaskEdge: (edge: Data) => idOf(edge.node),
      User: (user: Data) => idOf(user),
      // An event is a message, not an entity: it lives only inside its subscription result.
      TaskEvent: () => null,
    },
    resolvers: {
      Query: { tasks: relayPagination() },
    },
    optimistic: {
      createTask(variables) {
        const { input } = variables as CreateTaskMutationVariables;
        const now = new Date().toISOString();
        optimisticCounter += 1;
        return {
          __typename: 'Task',
          id: `${OPTIMISTIC_ID_PREFIX}${optimisticCounter}`,
          title: input.title.trim(),
          description: input.description ?? null,
          completed: false,
          priority: input.priority ?? 'MEDIUM',
          dueDate: input.dueDate ?? null,
          createdAt: now,
          updatedAt: now,
        } satisfies TaskData;
      },
      updateTask(variables, cache) {
        const { id, input } = variables as UpdateTaskMutationVariables;
        const task = readTask(cache, id);
        if (!task) return null;
        return {
          ...task,
          // Omitted fields stay; null clears description and dueDate (the API's contract).
          ...(input.title != null ? { title: input.title.trim() } : {}),
          ...(input.priority != null ? { priority: input.priority } : {}),
          ...(input.completed != null ? { completed: input.completed } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
          updatedAt: new Date().toISOString(),
        } satisfies TaskData;
      },
      toggleTask(variables, cache) {
        const { id } = variables as ToggleTaskMutationVariables;
        const task = readTask(cache, id);
        if (!task) return null;
        return { ...task, completed: !task.completed, updatedAt: new Date().toISOString() } satisfies TaskData;
      },
      deleteTask(variables) {
        return String((variables as DeleteTaskMutationVariables).id);
      },
    },
    updates: {
      Mutation: {
        createTask(result, _args, cache) {
          const id = idOf(result.createTask);
          if (id) placeTaskInLists(cache, id, { isNew: true });
        },
        updateTask(result, _args, cache) {
          const id = idOf(result.updateTask);
          if (id) placeTaskInLists(cache, id, { isNew: false });
        },
        toggleTask(result, _args, cache) {
          const id = idOf(result.toggleTask);
          if (id) placeTaskInLists(cache, id, { isNew: false });
        },
        deleteTask(result, _args, cache) {
          const id = idOf(result.deleteTask);
          if (id) removeTaskFromLists(cache, id);
        },
      },
      Subscription: {
        // The same placement as a mutation's own result. Placing a task already where it belongs
        // changes nothing, so this tab's own changes, echoed back by the server, are not applied twice.
        taskEvents(result, _args, cache) {
          const event = result.taskEvents as { kind?: string; taskId?: string } | null;
          if (!event?.taskId) return;
          if (event.kind === 'DELETED') {
            // Already gone here (this tab deleted it): nothing to remove, and no list to refetch.
            if (isTaskInAnyList(cache, event.taskId)) removeTaskFromLists(cache, event.taskId);
            return;
          }
          placeTaskInLists(cache, event.taskId, { isNew: event.kind === 'CREATED' });
        },
      },
    },
  });
}
