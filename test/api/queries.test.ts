// No N+1: a page of tasks costs the same, small number of SQL statements whatever its size.
// Counted by the real server (TASKFORT_SQL_STATS=1 logs the statements each request ran,
// see server/sqlStats.ts) on a real database, over HTTP.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../support/client.js';
import { useServerWithUser } from '../support/fixtures.js';

const { server, api, user } = useServerWithUser({ env: { TASKFORT_SQL_STATS: '1' } });
let other: TestUser;

const TASKS = 120;
const PAGE_SIZES = [1, 5, 20, 100];

interface StatementLog {
  path: string;
  status: number;
  requestId: string | null;
  statements: number;
  sql: string[];
}

function statementLogOf(requestId: string): StatementLog | undefined {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('"log":"sql"') && line.includes(requestId))
    .map((line) => JSON.parse(line) as StatementLog)
    .find((log) => log.requestId === requestId);
}

/**
 * The session check behind every bearer token reads the session at most once per session per 4 s
 * (tokens/viewerLiveness.ts; counted in revocation.test.ts), so whether a request pays it depends
 * on the clock, not on the query: it is left out of the counts here.
 */
const isSessionLivenessRead = (sql: string) => /^SELECT .* FROM [`"]\w+[`"]\.[`"]session[`"] WHERE/.test(sql);

/** Runs one GraphQL request and returns the SQL the server ran for it, the session check left out. */
async function sqlFor(query: string, variables: Record<string, unknown>, token: string) {
  const requestId = randomUUID();
  const response = await api.graphql(query, variables, { token, headers: { 'x-request-id': requestId } });
  expect(response.errors).toBeUndefined();
  // The log line is written when the response finishes, possibly just after the client has it.
  let log = statementLogOf(requestId);
  for (let i = 0; i < 100 && !log; i++) {
    await new Promise((r) => setTimeout(r, 20));
    log = statementLogOf(requestId);
  }
  expect(log, `no SQL log line for request ${requestId}`).toBeDefined();
  expect(log!.path).toBe('/graphql');
  const sql = log!.sql.filter((statement) => !isSessionLivenessRead(statement));
  return { response, log: { ...log!, sql, statements: log!.statements - (log!.sql.length - sql.length) } };
}

beforeAll(async () => {
  other = await api.createUser();
  const create = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }';
  for (let i = 0; i < TASKS; i++) {
    const response = await api.graphql(create, { input: { title: `task ${i}`, priority: ['LOW', 'MEDIUM', 'HIGH'][i % 3] } }, { token: user.jwt });
    expect(response.errors).toBeUndefined();
  }
  await api.graphql(create, { input: { title: "someone else's" } }, { token: other.jwt });
});

const LIST = `query ($first: Int!, $after: String, $orderBy: TaskOrder, $filter: TaskFilter) {
  tasks(first: $first, after: $after, orderBy: $orderBy, filter: $filter) {
    edges { cursor node { id title description completed priority dueDate createdAt updatedAt owner { id email } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const LIST_WITH_COUNT = `query ($first: Int!) { tasks(first: $first) { totalCount edges { node { id } } } }`;
const NESTED = `query ($first: Int!) { me { id tasks(first: $first) { edges { node { id title owner { id name } } } } } }`;

describe('SQL statements per request (no N+1)', () => {
  it('lists a page with the same two statements (tasks, then their owners) whatever the page size', async () => {
    const counts: number[] = [];
    for (const first of PAGE_SIZES) {
      const { response, log } = await sqlFor(LIST, { first }, user.jwt);
      expect(response.data!.tasks.edges).toHaveLength(first);
      for (const edge of response.data!.tasks.edges) expect(edge.node.owner.id).toBe(user.id);
      counts.push(log.statements);
    }
    expect(new Set(counts).size, `statements per page size ${PAGE_SIZES.join('/')}: ${counts.join('/')}`).toBe(1);
    // The tasks, and their owners (one more statement, however many tasks).
    expect(counts[0]).toBeLessThanOrEqual(2);
  });

  it('keeps the count flat on later pages, other orders and filters', async () => {
    const first = await sqlFor(LIST, { first: 20 }, user.jwt);
    const baseline = first.log.statements;
    const after = first.response.data!.tasks.pageInfo.endCursor;
    for (const variables of [
      { first: 20, after },
      { first: 100, after },
      { first: 20, orderBy: { field: 'PRIORITY', direction: 'DESC' } },
      { first: 100, orderBy: { field: 'TITLE', direction: 'ASC' } },
      { first: 100, filter: { status: 'ACTIVE', priority: 'HIGH' } },
    ]) {
      const { log } = await sqlFor(LIST, variables, user.jwt);
      // A cursor adds at most the lookup of the cursor row itself.
      expect(log.statements, `${JSON.stringify(variables)}: ${log.sql.join(' | ')}`).toBeLessThanOrEqual(baseline + 1);
    }
  });

  it('asks for totalCount with exactly one more statement (a COUNT), and only when requested', async () => {
    const without = await sqlFor(LIST, { first: 20 }, user.jwt);
    const withCount = await sqlFor(LIST_WITH_COUNT, { first: 20 }, user.jwt);
    expect(withCount.response.data!.tasks.totalCount).toBe(TASKS);
    expect(withCount.log.sql.filter((sql) => /count\(/i.test(sql))).toHaveLength(1);
    expect(without.log.sql.filter((sql) => /count\(/i.test(sql))).toHaveLength(0);
    expect(withCount.log.statements).toBeLessThanOrEqual(2);
  });

  it('runs one COUNT per list however many aliases ask for its totalCount', async () => {
    const aliases = Array.from({ length: 15 }, (_v, i) => `c${i}: totalCount`).join(' ');
    const { response, log } = await sqlFor(`query ($first: Int!) { tasks(first: $first) { ${aliases} edges { node { id } } } }`, { first: 1 }, user.jwt);
    expect(response.data!.tasks.c14).toBe(TASKS);
    expect(log.sql.filter((sql) => /count\(/i.test(sql))).toHaveLength(1);
  });

  it('loads me → tasks → owner in a bounded number of statements, whatever the page size', async () => {
    const counts: number[] = [];
    for (const first of PAGE_SIZES) {
      const { response, log } = await sqlFor(NESTED, { first }, user.jwt);
      expect(response.data!.me.tasks.edges).toHaveLength(first);
      counts.push(log.statements);
    }
    expect(new Set(counts).size, `statements per page size: ${counts.join('/')}`).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(3);
  });

  it('verifies the bearer token without touching the database', async () => {
    const { log } = await sqlFor('{ __typename }', {}, user.jwt);
    expect(log.statements).toBe(0);
  });
});
