// Test doubles for component tests: an in-memory task API behind a fetch function (so the real
// urql client, auth exchange and Graphcache run unchanged), and fake JWTs.
import type { TaskFieldsFragment, TaskFilter, TaskOrder } from '../gql/graphql';
import { createAccessTokenStore, type AccessTokenStore } from '../lib/accessToken';
import { compareTasks, matchesFilter } from '../lib/taskLists';

export type FakeTask = TaskFieldsFragment;
type TaskEventKind = 'CREATED' | 'UPDATED' | 'DELETED';

export interface RecordedRequest {
  operationName: string;
  variables: Record<string, unknown>;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  method: string;
}

interface Failure {
  code: string;
  message: string;
  status: number;
}

function base64Url(value: string): string {
  return btoa(value).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An unsigned token with the claims the client reads (iat/exp); the fake API accepts any of them. */
export function fakeJwt(lifetimeSeconds = 900, issuedAt = Math.floor(Date.now() / 1000), subject = 'user-1'): string {
  const header = base64Url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }));
  const payload = base64Url(JSON.stringify({ sub: subject, iat: issuedAt, exp: issuedAt + lifetimeSeconds }));
  return `${header}.${payload}.signature`;
}

export function fakeTokenStore(): AccessTokenStore {
  return createAccessTokenStore({ fetchToken: async () => fakeJwt() });
}

let taskCounter = 0;

export function makeTask(overrides: Partial<FakeTask> = {}): FakeTask {
  taskCounter += 1;
  const createdAt = new Date(Date.UTC(2025, 0, 1, 0, 0, taskCounter)).toISOString();
  return {
    id: `task-${taskCounter}`,
    title: `Task ${taskCounter}`,
    description: null,
    completed: false,
    priority: 'MEDIUM',
    dueDate: null,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

const cursorOf = (task: FakeTask) => `cursor:${task.id}`;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/graphql-response+json' } });
}

/** Puts a gate for `operationName` in `gates`; the returned function opens it. */
function holdUntilReleased(gates: Map<string, Promise<void>>, operationName: string): () => void {
  let release!: () => void;
  gates.set(operationName, new Promise<void>((resolve) => (release = resolve)));
  return () => {
    gates.delete(operationName);
    release();
  };
}

/**
 * A fake /graphql for the task operations the app sends, with switches to refuse or hold back
 * the next answer to an operation (to observe optimistic states and rollbacks).
 */
export function createFakeTaskApi(initialTasks: FakeTask[] = []) {
  const tasks: FakeTask[] = initialTasks.map((task) => ({ ...task }));
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, Failure>();
  const holds = new Map<string, Promise<void>>();
  const answerHolds = new Map<string, Promise<void>>();
  let unauthorizedResponses = 0;
  let echoChanges = false;
  // Live streams (the TaskEvents subscription over SSE), kept apart from `requests`.
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const streamRequests: RecordedRequest[] = [];
  let refusedStreams = 0;
  const encoder = new TextEncoder();

  function openStream(signal: AbortSignal | null | undefined): Response {
    if (refusedStreams > 0) {
      refusedStreams -= 1;
      return json({ errors: [{ message: 'Service unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }, 503);
    }
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(streamController) {
        controller = streamController;
        streams.add(controller);
        controller.enqueue(encoder.encode(':\n\n'));
      },
      cancel() {
        streams.delete(controller);
      },
    });
    signal?.addEventListener('abort', () => {
      if (!streams.delete(controller)) return;
      controller.error(new DOMException('aborted', 'AbortError'));
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }

  function broadcast(kind: TaskEventKind, task: FakeTask) {
    const payload = {
      data: {
        taskEvents: {
          __typename: 'TaskEvent',
          kind,
          taskId: task.id,
          at: new Date().toISOString(),
          task: kind === 'DELETED' ? null : { __typename: 'Task', ...task },
        },
      },
    };
    for (const controller of streams) controller.enqueue(encoder.encode(`event: next\ndata: ${JSON.stringify(payload)}\n\n`));
  }

  /** The event the real server publishes for a mutation's change (before it answers). */
  function echoOf(operationName: string, data: Record<string, unknown>): [TaskEventKind, FakeTask] | null {
    const kind = ({ CreateTask: 'CREATED', ToggleTask: 'UPDATED', UpdateTask: 'UPDATED', DeleteTask: 'DELETED' } as const)[operationName];
    if (!kind) return null;
    const changed = Object.values(data)[0];
    if (kind === 'DELETED') return [kind, { ...makeTask(), id: String(changed) }];
    return [kind, changed as FakeTask];
  }

  function list(variables: Record<string, unknown>) {
    const filter = (variables.filter ?? null) as TaskFilter | null;
    const orderBy = (variables.orderBy ?? null) as TaskOrder | null;
    const first = typeof variables.first === 'number' ? variables.first : 20;
    const matching = tasks.filter((task) => matchesFilter(task, filter)).sort((a, b) => compareTasks(a, b, orderBy));
    let start = 0;
    if (typeof variables.after === 'string') {
      const index = matching.findIndex((task) => cursorOf(task) === variables.after);
      start = index === -1 ? matching.length : index + 1;
    }
    const page = matching.slice(start, start + first);
    return {
      tasks: {
        __typename: 'TaskConnection',
        totalCount: matching.length,
        edges: page.map((task) => ({ __typename: 'TaskEdge', cursor: cursorOf(task), node: { __typename: 'Task', ...task } })),
        pageInfo: {
          __typename: 'PageInfo',
          hasNextPage: start + first < matching.length,
          endCursor: page.length ? cursorOf(page[page.length - 1]!) : null,
        },
      },
    };
  }

  function find(id: unknown): FakeTask {
    const task = tasks.find((candidate) => candidate.id === id);
    if (!task) throw Object.assign(new Error(`No task with id "${String(id)}".`), { code: 'NOT_FOUND', status: 404 });
    return task;
  }

  function execute(operationName: string, variables: Record<string, unknown>): Record<string, unknown> {
    const now = new Date().toISOString();
    switch (operationName) {
      case 'TaskList':
        return list(variables);
      case 'CreateTask': {
        const input = variables.input as { title: string; description?: string | null; priority?: FakeTask['priority'] | null; dueDate?: string | null };
        const task = makeTask({
          title: input.title,
          description: input.description ?? null,
          priority: input.priority ?? 'MEDIUM',
          dueDate: input.dueDate ?? null,
          createdAt: now,
          updatedAt: now,
        });
        tasks.push(task);
        return { createTask: { __typename: 'Task', ...task } };
      }
      case 'ToggleTask': {
        const task = find(variables.id);
        Object.assign(task, { completed: !task.completed, updatedAt: now });
        return { toggleTask: { __typename: 'Task', ...task } };
      }
      case 'UpdateTask': {
        const task = find(variables.id);
        const input = variables.input as Partial<FakeTask>;
        for (const [key, value] of Object.entries(input)) if (value !== undefined) Object.assign(task, { [key]: value });
        task.updatedAt = now;
        return { updateTask: { __typename: 'Task', ...task } };
      }
      case 'DeleteTask': {
        const task = find(variables.id);
        tasks.splice(tasks.indexOf(task), 1);
        return { deleteTask: task.id };
      }
      default:
        throw new Error(`fake API: unexpected operation ${operationName}`);
    }
  }

  const fetch = async (_input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const body = JSON.parse(String(init.body)) as { operationName?: string; query: string; variables?: Record<string, unknown> };
    const operationName = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? 'anonymous';
    const variables = body.variables ?? {};
    const headers = new Headers(init.headers);
    if (operationName === 'TaskEvents') {
      streamRequests.push({ operationName, variables, headers, credentials: init.credentials, method: init.method ?? 'GET' });
      return openStream(init.signal);
    }
    requests.push({ operationName, variables, headers, credentials: init.credentials, method: init.method ?? 'GET' });

    const hold = holds.get(operationName);
    if (hold) await hold;

    if (unauthorizedResponses > 0 || !/^Bearer \S+$/.test(headers.get('authorization') ?? '')) {
      unauthorizedResponses = Math.max(0, unauthorizedResponses - 1);
      return json({ errors: [{ message: 'Invalid bearer token: the token has expired.', extensions: { code: 'UNAUTHENTICATED' } }] }, 401);
    }
    const failure = failures.get(operationName);
    if (failure) {
      failures.delete(operationName);
      return json({ data: null, errors: [{ message: failure.message, extensions: { code: failure.code } }] }, failure.status);
    }
    let data: Record<string, unknown>;
    try {
      data = execute(operationName, variables);
    } catch (error) {
      const { code = 'INTERNAL', status = 500, message } = error as Error & { code?: string; status?: number };
      return json({ data: null, errors: [{ message, extensions: { code } }] }, status);
    }
    const echo = echoChanges ? echoOf(operationName, data) : null;
    if (echo) broadcast(...echo);
    const answerHold = answerHolds.get(operationName);
    if (answerHold) await answerHold;
    return json({ data });
  };

  return {
    fetch,
    tasks,
    requests,
    /** The next request for this operation is refused with this error. */
    refuseNext(operationName: string, failure: Failure) {
      failures.set(operationName, failure);
    },
    /** Answers to this operation wait until the returned function is called. */
    hold: (operationName: string) => holdUntilReleased(holds, operationName),
    /** Changes are done, then their answer waits until the returned function is called. */
    holdAnswer: (operationName: string) => holdUntilReleased(answerHolds, operationName),
    /** From now on every change is also sent on the open streams before it is answered, as the real server does. */
    echoChanges() {
      echoChanges = true;
    },
    /** The next n requests answer 401 as if the JWT had expired. */
    rejectTokens(count = 1) {
      unauthorizedResponses = count;
    },
    /** Every live stream request the app made. */
    streamRequests,
    openStreams: () => streams.size,
    /** Sends a task event on every open stream, as the server would after a change elsewhere. */
    emitTaskEvent(kind: TaskEventKind, task: FakeTask) {
      const index = tasks.findIndex((candidate) => candidate.id === task.id);
      if (kind === 'CREATED') tasks.push({ ...task });
      else if (index !== -1 && kind === 'DELETED') tasks.splice(index, 1);
      else if (index !== -1) tasks[index] = { ...task };
      broadcast(kind, task);
    },
    /** Ends every open stream (a server restart or network loss); the next `count` reconnects are refused. */
    dropStreams(refuseReconnects = 0) {
      refusedStreams = refuseReconnects;
      for (const controller of streams) controller.error(new TypeError('network error'));
      streams.clear();
    },
    requestsFor: (operationName: string) => requests.filter((request) => request.operationName === operationName),
  };
}

export type FakeTaskApi = ReturnType<typeof createFakeTaskApi>;
