// Security review round 2 (issue 10), GraphQL side: HIGH 2 (a floor price for data-bound
// fields, per-user task quota), LOW 14 (a JWT of a deleted account), LOW 17 (invisible titles).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../server/db/client.js';
import { databaseProviderOf } from '../../server/config.js';
import { ApiClient, codesOf, type TestUser } from '../support/client.js';
import { startServer, testDatabaseUrl, type RunningServer } from '../support/server.js';

const QUOTA = 5;
let server: RunningServer;
let api: ApiClient;
let user: TestUser;
let db: Database;

beforeAll(async () => {
  server = await startServer({ env: { MAX_TASKS_PER_USER: String(QUOTA), TASKFORT_SQL_STATS: '1' }, readyTimeoutMs: 110_000 });
  api = new ApiClient(server.url);
  user = await api.createUser();
  const databaseUrl = testDatabaseUrl(server.dataDir);
  db = await createDatabase({ databaseUrl, databaseProvider: databaseProviderOf(databaseUrl) });
});
afterAll(async () => {
  await db?.$disconnect();
  await server?.stop();
});

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title } }';

describe('HIGH 2: data-bound fields have a floor price', () => {
  it("refuses the review's query (15 aliased tasks(first: 0) { totalCount } under each of 100 tasks) before execution", async () => {
    const counts = Array.from({ length: 15 }, (_v, i) => `c${i}: tasks(first: 0, filter: {search: "task"}) { totalCount }`).join(' ');
    const query = `{ tasks(first: 100) { edges { node { owner { ${counts} } } } } }`;
    const response = await api.graphql(query, {}, { token: user.jwt });
    expect(response.status).toBe(400);
    expect(codesOf(response)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(response.data ?? null).toBeNull();
  });

  it('refuses it without the search too, and with last: 0', async () => {
    for (const args of ['first: 0', 'last: 0']) {
      const counts = Array.from({ length: 15 }, (_v, i) => `c${i}: tasks(${args}) { totalCount }`).join(' ');
      const response = await api.graphql(`{ tasks(first: 100) { edges { node { owner { ${counts} } } } } }`, {}, { token: user.jwt });
      expect(codesOf(response), args).toEqual(['QUERY_TOO_COMPLEX']);
    }
  });

  it('runs one searched list per request: a search nested under a list, or a second aliased one, is QUERY_TOO_COMPLEX before its scan', async () => {
    const searcher = await api.createUser();
    for (const title of ['alpha', 'beta', 'gamma']) {
      const created = await api.graphql(CREATE, { input: { title } }, { token: searcher.jwt });
      expect(created.errors).toBeUndefined();
    }
    // The review's shape: one full scan of the owner's rows per outer task, within the cost limit.
    const nested = await api.graphql(
      '{ tasks(first: 3) { edges { node { owner { tasks(first: 0, filter: { search: "zq" }) { totalCount } } } } } }',
      {},
      { token: searcher.jwt },
    );
    expect(codesOf(nested)).toContain('QUERY_TOO_COMPLEX');
    expect(new Set(codesOf(nested))).toEqual(new Set(['QUERY_TOO_COMPLEX']));
    const aliased = await api.graphql(
      '{ a: tasks(filter: { search: "al" }) { totalCount } b: tasks(filter: { search: "be" }) { totalCount } }',
      {},
      { token: searcher.jwt },
    );
    expect(codesOf(aliased)).toEqual(['QUERY_TOO_COMPLEX']);
    // One search, on either list field, with other lists beside it, still runs.
    const one = await api.graphql(
      '{ a: tasks(filter: { search: "AL" }) { totalCount edges { node { title } } } b: tasks(first: 2) { totalCount } me { tasks(first: 1) { totalCount } } }',
      {},
      { token: searcher.jwt },
    );
    expect(one.errors).toBeUndefined();
    expect(one.data).toMatchObject({ a: { totalCount: 1, edges: [{ node: { title: 'alpha' } }] }, b: { totalCount: 3 }, me: { tasks: { totalCount: 3 } } });
    const onUser = await api.graphql('{ me { tasks(filter: { search: "gam" }) { totalCount } } }', {}, { token: searcher.jwt });
    expect(onUser.data).toEqual({ me: { tasks: { totalCount: 1 } } });
  });

  it('runs at most three task lists per request, whatever their filter: a list under each task of another is QUERY_TOO_COMPLEX from the fourth on', async () => {
    const owner = await api.createUser();
    for (const title of ['one', 'two', 'three', 'four', 'five']) await api.graphql(CREATE, { input: { title } }, { token: owner.jwt });
    // The review's shape: a filter no index answers (priority with a due range), nested under
    // every task of an outer list, at first: 0 so the cost limit let 100 of them through.
    const nested = await api.graphql(
      '{ tasks(first: 5) { edges { node { title owner { tasks(first: 0, filter: { priority: HIGH, dueBefore: "2031-01-01" }) { totalCount } } } } } }',
      {},
      { token: owner.jwt },
    );
    expect(new Set(codesOf(nested))).toEqual(new Set(['QUERY_TOO_COMPLEX']));
    expect(nested.errors![0]!.message).toMatch(/3 task lists/);
    const fourAliased = await api.graphql(
      `{ ${['a', 'b', 'c', 'd'].map((alias) => `${alias}: tasks(first: 1) { totalCount }`).join(' ')} }`,
      {},
      { token: owner.jwt },
    );
    expect(codesOf(fourAliased)).toEqual(['QUERY_TOO_COMPLEX']);
    const three = await api.graphql(
      '{ active: tasks(filter: { status: ACTIVE }) { totalCount } done: tasks(filter: { status: COMPLETED }) { totalCount } me { tasks { totalCount } } }',
      {},
      { token: owner.jwt },
    );
    expect(three.errors).toBeUndefined();
    expect(three.data).toEqual({ active: { totalCount: 5 }, done: { totalCount: 0 }, me: { tasks: { totalCount: 5 } } });
  });

  it("still runs the web app's list query (page of 20, with search and totalCount) and the README's examples", async () => {
    const webAppList = `query TaskList($filter: TaskFilter, $orderBy: TaskOrder, $first: Int!, $after: String) {
      tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount
        edges { cursor node { id title description completed priority dueDate createdAt updatedAt } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const list = await api.graphql(
      webAppList,
      { first: 100, filter: { search: 'x', status: 'ACTIVE' }, orderBy: { field: 'TITLE', direction: 'ASC' } },
      { token: user.jwt },
    );
    expect(list.errors).toBeUndefined();
    const graphiqlDefault =
      '{ me { id email name } tasks(first: 10) { totalCount edges { node { id title completed priority dueDate } } pageInfo { hasNextPage endCursor } } }';
    expect((await api.graphql(graphiqlDefault, {}, { token: user.jwt })).errors).toBeUndefined();
    expect((await api.graphql('{ tasks(first: 0) { totalCount } }', {}, { token: user.jwt })).errors).toBeUndefined();
  });
});

describe('HIGH 2: per-user task quota (MAX_TASKS_PER_USER)', () => {
  it(`stores at most ${QUOTA} tasks however many creates race, and refuses the rest with TASK_LIMIT_REACHED`, async () => {
    const owner = await api.createUser();
    const responses = await Promise.all(Array.from({ length: 20 }, (_v, i) => api.graphql(CREATE, { input: { title: `task ${i}` } }, { token: owner.jwt })));
    const created = responses.filter((response) => !response.errors);
    const refused = responses.filter((response) => codesOf(response).includes('TASK_LIMIT_REACHED'));
    expect(created).toHaveLength(QUOTA);
    expect(refused).toHaveLength(20 - QUOTA);
    expect(refused[0]!.status).toBe(403);
    expect(refused[0]!.errors![0]!.message).toMatch(/limit of 5 tasks/);
    expect(await db.task.count({ where: { userId: owner.id } })).toBe(QUOTA);
    // Deleting one makes room for one.
    await api.graphql('mutation ($id: ID!) { deleteTask(id: $id) }', { id: created[0]!.data!.createTask.id }, { token: owner.jwt });
    expect((await api.graphql(CREATE, { input: { title: 'again' } }, { token: owner.jwt })).errors).toBeUndefined();
    expect(codesOf(await api.graphql(CREATE, { input: { title: 'one too many' } }, { token: owner.jwt }))).toEqual(['TASK_LIMIT_REACHED']);
  });

  it('reads a counter that stays exact across creates, deletes, writes by hand, an owner change and a deleted account (cascade)', async () => {
    const [owner, other] = [await api.createUser(), await api.createUser()];
    const counterMatches = async (userId: string) => {
      const row = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { taskCount: true } });
      expect(row.taskCount).toBe(await db.task.count({ where: { userId } }));
      return row.taskCount;
    };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await api.graphql(CREATE, { input: { title: `t${i}` } }, { token: owner.jwt })).data!.createTask.id);
    expect(await counterMatches(owner.id)).toBe(3);
    await api.graphql('mutation ($id: ID!) { deleteTask(id: $id) }', { id: ids.pop() }, { token: owner.jwt });
    expect(await counterMatches(owner.id)).toBe(2);
    // Writes that bypass the API are counted too.
    await db.task.createMany({
      data: [
        { title: 'by hand', userId: other.id },
        { title: 'by hand', userId: other.id },
      ],
    });
    await db.task.update({ where: { id: ids[0]! }, data: { userId: other.id } });
    expect(await counterMatches(owner.id)).toBe(1);
    expect(await counterMatches(other.id)).toBe(3);
    await db.task.deleteMany({ where: { userId: other.id, title: 'by hand' } });
    expect(await counterMatches(other.id)).toBe(1);
    // Deleting an account deletes its tasks by cascade; nobody else's counter moves.
    await db.user.delete({ where: { id: other.id } });
    expect(await db.task.count({ where: { userId: other.id } })).toBe(0);
    expect(await counterMatches(owner.id)).toBe(1);
    // The counter is what the quota reads: the owner can fill exactly the rest of it.
    const responses = await Promise.all(Array.from({ length: 10 }, () => api.graphql(CREATE, { input: { title: 'fill' } }, { token: owner.jwt })));
    expect(responses.filter((response) => !response.errors)).toHaveLength(QUOTA - 1);
    expect(await counterMatches(owner.id)).toBe(QUOTA);
  });
});

describe('LOW 14: a JWT whose account no longer exists', () => {
  const OPERATIONS: [string, string, Record<string, unknown>][] = [
    ['me', '{ me { id } }', {}],
    ['tasks', '{ tasks { totalCount } }', {}],
    ['createTask', CREATE, { input: { title: 'ghost' } }],
    ['updateTask', 'mutation { updateTask(id: "x", input: { title: "y" }) { id } }', {}],
    ['toggleTask', 'mutation { toggleTask(id: "x") { id } }', {}],
    ['deleteTask', 'mutation { deleteTask(id: "x") }', {}],
    ['__typename', '{ __typename }', {}],
  ];

  it('gets UNAUTHENTICATED on every operation, and nothing is written', async () => {
    const ghost = await api.createUser();
    await db.user.delete({ where: { id: ghost.id } });
    for (const [name, query, variables] of OPERATIONS) {
      const response = await api.graphql(query, variables, { token: ghost.jwt });
      expect(codesOf(response), name).toEqual(['UNAUTHENTICATED']);
      expect(response.status, name).toBe(401);
    }
    expect(await db.task.count({ where: { userId: ghost.id } })).toBe(0);
  });

  it('gets UNAUTHENTICATED, not "Unexpected error.", when the account is deleted between the check and the insert', async () => {
    const ghost = await api.createUser();
    // The viewer is now known alive for a few seconds (one read per user per 5 s, not per request).
    expect((await api.graphql('{ me { id } }', {}, { token: ghost.jwt })).errors).toBeUndefined();
    await db.user.delete({ where: { id: ghost.id } });
    const response = await api.graphql(CREATE, { input: { title: 'ghost' } }, { token: ghost.jwt });
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(await db.task.count({ where: { userId: ghost.id } })).toBe(0);
  });

  it('reads the user at most once per few seconds, not once per request', async () => {
    const viewer = await api.createUser();
    const requestIds = Array.from({ length: 5 }, (_v, i) => `liveness-${viewer.id}-${i}`);
    for (const requestId of requestIds) {
      const response = await api.graphql('{ __typename }', {}, { token: viewer.jwt, headers: { 'x-request-id': requestId } });
      expect(response.errors).toBeUndefined();
    }
    const statements = (await server.flushedOutput())
      .split('\n')
      .filter((line) => line.includes('"log":"sql"') && requestIds.some((id) => line.includes(id)))
      .map((line) => (JSON.parse(line) as { statements: number }).statements);
    expect(statements).toHaveLength(5);
    // The first request looks the user up; the next four answer from the cache.
    expect(statements).toEqual([1, 0, 0, 0, 0]);
  });
});

describe('LOW 17: a title needs a visible character', () => {
  it.each([
    ['zero-width space', '\u200b'],
    ['zero-width joiners and non-joiners', '\u200d\u200c\u200d'],
    ['bidi controls', '\u202e\u2066\u2069\u200f'],
    ['word joiner and BOM', '\u2060\ufeff'],
    ['whitespace mixed with invisibles', ' \u00a0\u200b\u3000\t'],
    ['Hangul filler', '\u3164'],
  ])('refuses a title of only %s as BAD_USER_INPUT on input.title', async (_name, title) => {
    const created = await api.graphql(CREATE, { input: { title } }, { token: user.jwt });
    expect(codesOf(created)).toEqual(['BAD_USER_INPUT']);
    expect(created.errors![0]!.extensions!.field).toBe('input.title');
  });

  it('refuses it on update too, and still accepts titles with a visible character among invisibles', async () => {
    const owner = await api.createUser();
    const created = await api.graphql(CREATE, { input: { title: '\u200bfine\u200b' } }, { token: owner.jwt });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createTask.id;
    const updated = await api.graphql(
      'mutation ($id: ID!, $title: String!) { updateTask(id: $id, input: { title: $title }) { id } }',
      { id, title: '\u200b\u202e' },
      { token: owner.jwt },
    );
    expect(codesOf(updated)).toEqual(['BAD_USER_INPUT']);
    expect(updated.errors![0]!.extensions!.field).toBe('input.title');
    expect((await api.graphql(CREATE, { input: { title: '😀' } }, { token: owner.jwt })).errors).toBeUndefined();
  });
});
