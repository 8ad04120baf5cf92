// Security review round 2 (issue 10), LOW 11: a search containing %, _ or \ is literal and works
// whatever the number of matches (it used to build `id IN (…)` from every match and fail past
// ~1,000 on SQLite). Under test/api so it runs on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../server/db/client.js';
import { databaseProviderOf } from '../../server/config.js';
import { ApiClient, type TestUser } from '../support/client.js';
import { startServer, testDatabaseUrl, type RunningServer } from '../support/server.js';

let server: RunningServer;
let api: ApiClient;
let db: Database;
let bulk: TestUser;
let literal: TestUser;

const MANY = 1_100;
const LITERAL_TITLES = ['50% off', '50x off', 'a_b', 'axb', 'back\\slash', 'backslash', 'UPPER 50% CASE', 'under_score_'];
const LIST = `query ($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $last: Int, $after: String, $before: String) {
  tasks(filter: $filter, orderBy: $orderBy, first: $first, last: $last, after: $after, before: $before) {
    totalCount
    edges { cursor node { id title } }
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
  }
}`;

async function list(user: TestUser, variables: Record<string, unknown>) {
  const response = await api.graphql(LIST, variables, { token: user.jwt });
  expect(response.errors, JSON.stringify(variables)).toBeUndefined();
  return response.data!.tasks as { totalCount: number; edges: { cursor: string; node: { id: string; title: string } }[]; pageInfo: any };
}

const titlesFor = async (user: TestUser, search: string) =>
  (await list(user, { first: 100, filter: { search }, orderBy: { field: 'TITLE', direction: 'ASC' } })).edges.map((edge) => edge.node.title);

beforeAll(async () => {
  server = await startServer({ readyTimeoutMs: 110_000 });
  api = new ApiClient(server.url);
  [bulk, literal] = await Promise.all([api.createUser(), api.createUser()]);
  const databaseUrl = testDatabaseUrl(server.dataDir);
  db = await createDatabase({ databaseUrl, databaseProvider: databaseProviderOf(databaseUrl) });
  const start = Date.UTC(2030, 0, 1);
  for (let offset = 0; offset < MANY; offset += 100) {
    await db.task.createMany({
      data: Array.from({ length: Math.min(100, MANY - offset) }, (_v, i) => {
        const at = new Date(start + (offset + i) * 1000);
        return { title: `item ${String(offset + i).padStart(4, '0')} is 100% done`, userId: bulk.id, priority: (offset + i) % 3, createdAt: at, updatedAt: at };
      }),
    });
  }
  await db.task.createMany({ data: [{ title: 'no wildcard here', userId: bulk.id }] });
  for (const title of LITERAL_TITLES) await db.task.create({ data: { title, userId: literal.id } });
});
afterAll(async () => {
  await db?.$disconnect();
  await server?.stop();
});

describe('literal search (LOW 11)', () => {
  it.each([
    ['50%', ['50% off', 'UPPER 50% CASE']],
    ['a_b', ['a_b']],
    ['_', ['a_b', 'under_score_']],
    ['\\', ['back\\slash']],
    ['%', ['50% off', 'UPPER 50% CASE']],
    ['upper 50% case', ['UPPER 50% CASE']],
    ['E_', ['under_score_']],
  ])('a search for %j matches the text literally, case-insensitively', async (search, expected) => {
    expect(await titlesFor(literal, search)).toEqual([...expected].sort());
  });

  it(`counts and pages through ${MANY} matches of a wildcard search, forward and backward, in every order`, async () => {
    const filter = { search: '100%' };
    for (const orderBy of [
      undefined,
      { field: 'TITLE', direction: 'ASC' },
      { field: 'PRIORITY', direction: 'DESC' },
      { field: 'DUE_DATE', direction: 'ASC' },
    ]) {
      const seen: string[] = [];
      let after: string | null = null;
      let totalCount = 0;
      for (let page = 0; page < 20; page++) {
        const connection = await list(bulk, { first: 100, after, filter, orderBy });
        totalCount = connection.totalCount;
        seen.push(...connection.edges.map((edge) => edge.node.title));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(totalCount, JSON.stringify(orderBy)).toBe(MANY);
      expect(seen, JSON.stringify(orderBy)).toHaveLength(MANY);
      expect(new Set(seen).size).toBe(MANY);
      if (orderBy?.field === 'TITLE') expect(seen).toEqual([...seen].sort());
      // Backward from the end of the first page gives the same rows, in the same order.
      const first = await list(bulk, { first: 10, filter, orderBy });
      const before = await list(bulk, { last: 3, before: first.edges[9]!.cursor, filter, orderBy });
      expect(before.edges.map((edge) => edge.node.title)).toEqual(first.edges.slice(6, 9).map((edge) => edge.node.title));
      expect(before.pageInfo.hasPreviousPage).toBe(true);
    }
  });

  it('still searches without wildcards as before', async () => {
    expect((await list(bulk, { first: 1, filter: { search: 'WILDCARD' } })).totalCount).toBe(1);
    expect((await list(bulk, { first: 1, filter: { search: 'item 0042' } })).edges[0]!.node.title).toBe('item 0042 is 100% done');
  });
});
