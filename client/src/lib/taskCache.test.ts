import type { Client } from '@urql/core';
import { describe, expect, it } from 'vitest';
import type { TaskListQueryVariables } from '../gql/graphql';
import { createFakeTaskApi, fakeTokenStore, makeTask, type FakeTaskApi } from '../testing/fakeTaskApi';
import { createGraphQLClient } from './graphqlClient';
import { CreateTaskMutation, DeleteTaskMutation, TaskEventsSubscription, TaskListQuery, ToggleTaskMutation, UpdateTaskMutation } from './taskDocuments';

type ListVariables = TaskListQueryVariables;

const NEWEST: ListVariables = { filter: { status: 'ALL' }, orderBy: { field: 'CREATED_AT', direction: 'DESC' }, first: 20 };
const ACTIVE: ListVariables = { ...NEWEST, filter: { status: 'ACTIVE' } };
const COMPLETED: ListVariables = { ...NEWEST, filter: { status: 'COMPLETED' } };
const BY_DUE_DATE: ListVariables = { ...NEWEST, orderBy: { field: 'DUE_DATE', direction: 'ASC' } };
const BY_PRIORITY: ListVariables = { ...NEWEST, orderBy: { field: 'PRIORITY', direction: 'DESC' } };
const SEARCH_MILK: ListVariables = { ...NEWEST, filter: { status: 'ALL', search: 'milk' } };

function setup(
  tasks = [
    makeTask({ title: 'Buy milk', dueDate: '2025-03-10' }),
    makeTask({ title: 'Write report', priority: 'HIGH' }),
    makeTask({ title: 'Call Bob', dueDate: '2025-03-01', completed: true }),
  ],
) {
  const api = createFakeTaskApi(tasks);
  const client = createGraphQLClient({ tokens: fakeTokenStore(), onSessionEnded: () => {}, fetch: api.fetch, url: 'http://localhost/graphql' });
  return { api, client, tasks: api.tasks };
}

/** What the list shows from the cache alone (no request): titles in order and the count. */
function cachedList(client: Client, variables: ListVariables) {
  const result = client.readQuery(TaskListQuery, variables, { requestPolicy: 'cache-only' });
  const tasks = result?.data?.tasks;
  return tasks ? { titles: tasks.edges.map((edge) => edge.node.title), totalCount: tasks.totalCount } : null;
}

async function load(client: Client, variables: ListVariables) {
  const result = await client.query(TaskListQuery, variables).toPromise();
  if (result.error) throw result.error;
  return cachedList(client, variables);
}

/** The list the server would answer now, for comparison with what the cache shows. */
async function serverList(api: FakeTaskApi, variables: ListVariables) {
  const fresh = createGraphQLClient({ tokens: fakeTokenStore(), onSessionEnded: () => {}, fetch: api.fetch, url: 'http://localhost/graphql' });
  return load(fresh, variables);
}

describe('Graphcache keeps every cached list right after a change', () => {
  it('adds a new task to the lists it belongs to, where the server would put it', async () => {
    const { api, client } = setup();
    for (const list of [NEWEST, ACTIVE, COMPLETED, BY_DUE_DATE, SEARCH_MILK]) await load(client, list);

    const result = await client.mutation(CreateTaskMutation, { input: { title: 'Milk the cow', dueDate: '2025-03-05' } }).toPromise();
    expect(result.error).toBeUndefined();

    expect(cachedList(client, NEWEST)).toEqual({ titles: ['Milk the cow', 'Call Bob', 'Write report', 'Buy milk'], totalCount: 4 });
    expect(cachedList(client, BY_DUE_DATE)?.titles).toEqual(['Call Bob', 'Milk the cow', 'Buy milk', 'Write report']);
    expect(cachedList(client, SEARCH_MILK)).toEqual({ titles: ['Milk the cow', 'Buy milk'], totalCount: 2 });
    expect(cachedList(client, COMPLETED)).toEqual({ titles: ['Call Bob'], totalCount: 1 });
    for (const list of [NEWEST, ACTIVE, COMPLETED, BY_DUE_DATE, SEARCH_MILK]) expect(cachedList(client, list)).toEqual(await serverList(api, list));
  });

  it('moves a toggled task between the Active and Completed lists', async () => {
    const { api, client, tasks } = setup();
    for (const list of [NEWEST, ACTIVE, COMPLETED]) await load(client, list);
    const buyMilk = tasks.find((task) => task.title === 'Buy milk')!;

    await client.mutation(ToggleTaskMutation, { id: buyMilk.id }).toPromise();

    expect(cachedList(client, ACTIVE)).toEqual({ titles: ['Write report'], totalCount: 1 });
    expect(cachedList(client, COMPLETED)).toEqual({ titles: ['Call Bob', 'Buy milk'], totalCount: 2 });
    for (const list of [NEWEST, ACTIVE, COMPLETED]) expect(cachedList(client, list)).toEqual(await serverList(api, list));
  });

  it('re-sorts an edited task and drops it from searches it no longer matches', async () => {
    const { api, client, tasks } = setup();
    for (const list of [BY_PRIORITY, SEARCH_MILK, BY_DUE_DATE]) await load(client, list);
    const buyMilk = tasks.find((task) => task.title === 'Buy milk')!;

    await client.mutation(UpdateTaskMutation, { id: buyMilk.id, input: { title: 'Buy oat drink', priority: 'HIGH', dueDate: null } }).toPromise();

    // Equal priority: the newer task first, as the server breaks ties.
    expect(cachedList(client, BY_PRIORITY)?.titles).toEqual(['Write report', 'Buy oat drink', 'Call Bob']);
    expect(cachedList(client, SEARCH_MILK)).toEqual({ titles: [], totalCount: 0 });
    expect(cachedList(client, BY_DUE_DATE)?.titles).toEqual(['Call Bob', 'Write report', 'Buy oat drink']); // no due date: last, newest first
    for (const list of [BY_PRIORITY, SEARCH_MILK, BY_DUE_DATE]) expect(cachedList(client, list)).toEqual(await serverList(api, list));
  });

  it('removes a deleted task from every list and counts it out', async () => {
    const { api, client, tasks } = setup();
    for (const list of [NEWEST, COMPLETED]) await load(client, list);
    const callBob = tasks.find((task) => task.title === 'Call Bob')!;

    await client.mutation(DeleteTaskMutation, { id: callBob.id }).toPromise();

    expect(cachedList(client, NEWEST)).toEqual({ titles: ['Write report', 'Buy milk'], totalCount: 2 });
    expect(cachedList(client, COMPLETED)).toEqual({ titles: [], totalCount: 0 });
    for (const list of [NEWEST, COMPLETED]) expect(cachedList(client, list)).toEqual(await serverList(api, list));
  });

  it('shows the change before the server answers and undoes it when the server refuses', async () => {
    const { api, client, tasks } = setup();
    await load(client, NEWEST);
    await load(client, ACTIVE);
    const buyMilk = tasks.find((task) => task.title === 'Buy milk')!;

    api.refuseNext('DeleteTask', { code: 'FORBIDDEN', message: 'You do not have access to this resource.', status: 403 });
    const release = api.hold('DeleteTask');
    const deletion = client.mutation(DeleteTaskMutation, { id: buyMilk.id }).toPromise();
    await Promise.resolve();
    expect(cachedList(client, NEWEST)).toEqual({ titles: ['Call Bob', 'Write report'], totalCount: 2 });
    expect(cachedList(client, ACTIVE)).toEqual({ titles: ['Write report'], totalCount: 1 });

    release();
    const result = await deletion;
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('FORBIDDEN');
    expect(cachedList(client, NEWEST)).toEqual({ titles: ['Call Bob', 'Write report', 'Buy milk'], totalCount: 3 });
    expect(cachedList(client, ACTIVE)).toEqual({ titles: ['Write report', 'Buy milk'], totalCount: 2 });
  });

  it('merges "Load more" pages and keeps paging right after deleting the last loaded task', async () => {
    const tasks = Array.from({ length: 5 }, (_, index) => makeTask({ title: `Item ${index + 1}` }));
    const { api, client } = setup(tasks);
    const firstPage = { ...NEWEST, first: 2 };
    await load(client, firstPage);
    const page1 = await client.query(TaskListQuery, firstPage).toPromise();
    const endCursor = page1.data?.tasks.pageInfo.endCursor ?? null;
    expect(await load(client, { ...firstPage, after: endCursor })).toEqual({ titles: ['Item 5', 'Item 4', 'Item 3', 'Item 2'], totalCount: 5 });

    const item2 = api.tasks.find((task) => task.title === 'Item 2')!;
    await client.mutation(DeleteTaskMutation, { id: item2.id }).toPromise();
    const merged = client.readQuery(TaskListQuery, { ...firstPage, after: endCursor }, { requestPolicy: 'cache-only' })?.data?.tasks;
    expect(merged?.edges.map((edge) => edge.node.title)).toEqual(['Item 5', 'Item 4', 'Item 3']);
    expect(merged?.totalCount).toBe(4);
    // "Load more" continues after the last task still listed (useTaskList does this).
    const lastCursor = merged?.edges.at(-1)?.cursor ?? null;
    expect(await load(client, { ...firstPage, after: lastCursor })).toEqual({ titles: ['Item 5', 'Item 4', 'Item 3', 'Item 1'], totalCount: 4 });
  });

  it('refetches a partly loaded list that might have counted a changed task', async () => {
    const tasks = Array.from({ length: 3 }, (_, index) => makeTask({ title: `Item ${index + 1}` }));
    const { api, client } = setup(tasks);
    await load(client, NEWEST);
    const completedFirstPage = { ...COMPLETED, first: 1 };
    await client.mutation(ToggleTaskMutation, { id: api.tasks[0]!.id }).toPromise();
    await client.mutation(ToggleTaskMutation, { id: api.tasks[1]!.id }).toPromise();
    await load(client, completedFirstPage); // one of two completed tasks loaded
    const requestsBefore = api.requestsFor('TaskList').length;

    await client.mutation(ToggleTaskMutation, { id: api.tasks[2]!.id }).toPromise(); // might sort beyond the loaded page
    expect(cachedList(client, completedFirstPage)).toBeNull();
    const reloaded = await load(client, completedFirstPage);
    expect(api.requestsFor('TaskList').length).toBe(requestsBefore + 1);
    expect(reloaded).toEqual(await serverList(api, completedFirstPage));
  });

  it("counts this tab's own changes once when the live stream's echo arrives before the answer", async () => {
    const { api, client, tasks } = setup();
    for (const list of [NEWEST, ACTIVE, COMPLETED]) await load(client, list);
    const stream = client.subscription(TaskEventsSubscription, {}).subscribe(() => {});
    await until(() => api.openStreams() === 1);
    api.echoChanges();
    const writeReport = tasks.find((task) => task.title === 'Write report')!;
    const buyMilk = tasks.find((task) => task.title === 'Buy milk')!;

    // The server publishes each change, the stream delivers it, and only then does the answer come.
    const changes = {
      CreateTask: () => client.mutation(CreateTaskMutation, { input: { title: 'Milk the cow' } }).toPromise(),
      ToggleTask: () => client.mutation(ToggleTaskMutation, { id: writeReport.id }).toPromise(),
      DeleteTask: () => client.mutation(DeleteTaskMutation, { id: buyMilk.id }).toPromise(),
    };
    for (const [operationName, change] of Object.entries(changes)) {
      const release = api.holdAnswer(operationName);
      const answered = change();
      await until(() => api.requestsFor(operationName).length > 0);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the echo reaches the client first
      release();
      expect((await answered).error).toBeUndefined();
    }
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(cachedList(client, NEWEST)).toEqual({ titles: ['Milk the cow', 'Call Bob', 'Write report'], totalCount: 3 });
    expect(cachedList(client, ACTIVE)).toEqual({ titles: ['Milk the cow'], totalCount: 1 });
    expect(cachedList(client, COMPLETED)).toEqual({ titles: ['Call Bob', 'Write report'], totalCount: 2 });
    for (const list of [NEWEST, ACTIVE, COMPLETED]) expect(cachedList(client, list)).toEqual(await serverList(api, list));
    stream.unsubscribe();
  });
});

async function until(condition: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
