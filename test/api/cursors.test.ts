// Security review round 2 (issue 10): MEDIUM 3 (a cursor naming another user's task), LOW 12
// (malformed cursors and argument combinations), LOW 13 (unguessable ids, old ids still work).
// Under test/api so it runs on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../server/db/client.js';
import { databaseProviderOf } from '../../server/config.js';
import { ApiClient, codesOf, type TestUser } from '../support/client.js';
import { startServer, testDatabaseUrl, type RunningServer } from '../support/server.js';

let server: RunningServer;
let api: ApiClient;
let owner: TestUser;
let intruder: TestUser;
let db: Database;
let secretTaskId: string;

const cursorFor = (value: string) => Buffer.from(value, 'utf8').toString('base64');
const ORDER_FIELDS = ['CREATED_AT', 'UPDATED_AT', 'DUE_DATE', 'PRIORITY', 'TITLE'] as const;
const DIRECTIONS = ['ASC', 'DESC'] as const;
const LIST = `query ($first: Int, $last: Int, $after: String, $before: String, $orderBy: TaskOrder) {
  tasks(first: $first, last: $last, after: $after, before: $before, orderBy: $orderBy) {
    edges { cursor node { id title } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }';

async function createTask(user: TestUser, input: Record<string, unknown>): Promise<string> {
  const response = await api.graphql(CREATE, { input }, { token: user.jwt });
  expect(response.errors).toBeUndefined();
  return response.data!.createTask.id;
}

beforeAll(async () => {
  server = await startServer({ readyTimeoutMs: 110_000 });
  api = new ApiClient(server.url);
  [owner, intruder] = await Promise.all([api.createUser(), api.createUser()]);
  const databaseUrl = testDatabaseUrl(server.dataDir);
  db = await createDatabase({ databaseUrl, databaseProvider: databaseProviderOf(databaseUrl) });
  secretTaskId = await createTask(owner, { title: 'Secret merger with ACME', priority: 'HIGH', dueDate: '2031-05-05' });
  for (const [i, title] of ['Alpha', 'Mango', 'Zulu', 'Delta'].entries()) {
    await createTask(intruder, { title, priority: ['LOW', 'MEDIUM', 'HIGH'][i % 3], ...(i % 2 ? { dueDate: `2031-0${i + 1}-01` } : {}) });
  }
});
afterAll(async () => {
  await db?.$disconnect();
  await server?.stop();
});

describe("a cursor naming another user's task (MEDIUM 3)", () => {
  for (const field of ORDER_FIELDS) {
    for (const direction of DIRECTIONS) {
      it(`is refused as BAD_USER_INPUT, forward and backward, ordered by ${field} ${direction}`, async () => {
        const foreign = cursorFor(`GPC:S:${secretTaskId}`);
        for (const variables of [
          { first: 10, after: foreign },
          { last: 10, before: foreign },
        ]) {
          const response = await api.graphql(LIST, { ...variables, orderBy: { field, direction } }, { token: intruder.jwt });
          expect(codesOf(response), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
          expect(response.errors![0]!.extensions!.field).toBe('after' in variables ? 'after' : 'before');
          expect(response.data ?? null).toBeNull();
          expect(JSON.stringify(response.body)).not.toContain('Secret');
        }
      });
    }
  }

  it('answers a cursor of a task that does not exist exactly like a foreign one (no existence oracle)', async () => {
    const foreign = await api.graphql(LIST, { first: 5, after: cursorFor(`GPC:S:${secretTaskId}`) }, { token: intruder.jwt });
    const missing = await api.graphql(LIST, { first: 5, after: cursorFor('GPC:S:doesnotexist000000000000') }, { token: intruder.jwt });
    expect(missing.status).toBe(foreign.status);
    expect(missing.errors).toEqual(foreign.errors);
  });

  it("still pages through the viewer's own tasks with their cursors, in both directions, in every order", async () => {
    for (const field of ORDER_FIELDS) {
      for (const direction of DIRECTIONS) {
        const orderBy = { field, direction };
        const all = await api.graphql(LIST, { first: 10, orderBy }, { token: intruder.jwt });
        expect(all.errors).toBeUndefined();
        const titles = all.data!.tasks.edges.map((edge: any) => edge.node.title);
        expect(titles).toHaveLength(4);
        const second = all.data!.tasks.edges[1].cursor;
        const after = await api.graphql(LIST, { first: 10, after: second, orderBy }, { token: intruder.jwt });
        expect(
          after.data!.tasks.edges.map((edge: any) => edge.node.title),
          `${field} ${direction} after`,
        ).toEqual(titles.slice(2));
        const before = await api.graphql(LIST, { last: 10, before: all.data!.tasks.edges[2].cursor, orderBy }, { token: intruder.jwt });
        expect(
          before.data!.tasks.edges.map((edge: any) => edge.node.title),
          `${field} ${direction} before`,
        ).toEqual(titles.slice(0, 2));
      }
    }
  });
});

describe('malformed cursors and argument combinations (LOW 12)', () => {
  const MALFORMED = [
    cursorFor('GPC:N:1'),
    cursorFor('GPC:O:{"a":1}'),
    cursorFor('GPC:Z:'),
    cursorFor('GPC:D:1'),
    cursorFor('GPC:T:[["S","x"]]'),
    cursorFor('GPC:B:'),
    cursorFor('GPC:I:'),
    cursorFor('GPC:I:12'),
    cursorFor('GPC:S:'),
    cursorFor('GPC:J:[1,2]'),
    cursorFor('\u0000\u00ff garbage \n{"level":50}'),
    'not base64 !!',
    '%%%',
    '',
    `${cursorFor('GPC:S:abc')}junk`,
  ];

  it('refuses every malformed cursor as BAD_USER_INPUT naming the argument, with no Prisma error in the log', async () => {
    for (const cursor of MALFORMED) {
      for (const variables of [
        { first: 5, after: cursor },
        { last: 5, before: cursor },
      ]) {
        const response = await api.graphql(LIST, variables, { token: owner.jwt });
        expect(codesOf(response), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0]!.extensions!.field).toBe('after' in variables ? 'after' : 'before');
        expect(JSON.stringify(response.body)).not.toMatch(/Unexpected error|prisma/i);
      }
    }
    expect(await server.flushedOutput()).not.toMatch(/PrismaClient|prisma:error|Invalid `.*findMany/);
  });

  it.each([
    [{ first: 5, before: 'CURSOR' }, 'before'],
    [{ last: 5, after: 'CURSOR' }, 'after'],
    [{ first: 5, last: 5 }, 'last'],
    [{ after: 'CURSOR', before: 'CURSOR' }, 'before'],
  ])('refuses %j as BAD_USER_INPUT naming %s', async (variables, field) => {
    const own = await api.graphql(LIST, { first: 1 }, { token: owner.jwt });
    const cursor = own.data!.tasks.edges[0].cursor as string;
    const filled = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, value === 'CURSOR' ? cursor : value]));
    const response = await api.graphql(LIST, filled, { token: owner.jwt });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.extensions!.field).toBe(field);
  });
});

describe('task ids (LOW 13)', () => {
  it('gives new tasks unguessable random ids that share no timestamp prefix', async () => {
    const ids = [await createTask(owner, { title: 'one' }), await createTask(owner, { title: 'two' })];
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]{23}$/);
    let common = 0;
    while (ids[0]![common] === ids[1]![common]) common++;
    // cuid v1 ids made a moment apart share "c" + the timestamp (8+ characters).
    expect(common).toBeLessThan(6);
  });

  it('keeps a task stored with an old cuid v1 id readable, pageable, updatable and deletable', async () => {
    const legacyId = 'cmx5q44yz0000u57dpaczng97';
    const now = new Date();
    await db.task.create({ data: { id: legacyId, title: 'Legacy task', userId: owner.id, createdAt: new Date(now.getTime() + 60_000), updatedAt: now } });
    const read = await api.graphql('query ($id: ID!) { task(id: $id) { id title } }', { id: legacyId }, { token: owner.jwt });
    expect(read.data).toEqual({ task: { id: legacyId, title: 'Legacy task' } });
    const page = await api.graphql(LIST, { first: 1 }, { token: owner.jwt });
    expect(page.data!.tasks.edges[0].node.id).toBe(legacyId);
    const next = await api.graphql(LIST, { first: 1, after: page.data!.tasks.edges[0].cursor }, { token: owner.jwt });
    expect(next.errors).toBeUndefined();
    expect(next.data!.tasks.edges[0].node.id).not.toBe(legacyId);
    const updated = await api.graphql(
      'mutation ($id: ID!) { updateTask(id: $id, input: { title: "Renamed" }) { title } }',
      { id: legacyId },
      { token: owner.jwt },
    );
    expect(updated.data).toEqual({ updateTask: { title: 'Renamed' } });
    const deleted = await api.graphql('mutation ($id: ID!) { deleteTask(id: $id) }', { id: legacyId }, { token: owner.jwt });
    expect(deleted.data).toEqual({ deleteTask: legacyId });
  });
});
