import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GraphQLResponse } from '../support/client.js';
import { useServerWithUser } from '../support/fixtures.js';

// OWASP API8:2023 (security misconfiguration: stack traces) and API10 (unsafe consumption):
// hostile input is stored verbatim or refused with a code; never a 5xx, never a stack or SQL.
const { api, user } = useServerWithUser();

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title description priority dueDate } }';
const UPDATE = 'mutation ($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { id title } }';
const LIST =
  'query ($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $after: String) { tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { totalCount edges { node { id title } } } }';
const KNOWN_CODES = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'QUERY_TOO_COMPLEX',
]);

function expectSafeAnswer(response: GraphQLResponse) {
  expect(response.status).toBeLessThan(500);
  const text = JSON.stringify(response.body);
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|prisma|SQLITE|sqlite3|PrismaClient|Unexpected error/i);
  for (const error of response.errors ?? []) expect(KNOWN_CODES).toContain(error.extensions?.code);
}

const SQLISH = [
  "'; DROP TABLE task; --",
  '" OR 1=1 --',
  "Robert'); DELETE FROM \"user\" WHERE ('1'='1",
  '100% done_yet\\',
  'tab\there\nnewline\r\nreturn',
  '\u202Eright-to-left override',
  '🧪 émoji ünïcode 漢字',
  '<script>alert(1)</script>',
  '${7*7} {{7*7}}',
];

describe('SQL-ish and control-character input', () => {
  it.each(SQLISH)('stores %j verbatim and finds it by literal search', async (title) => {
    const created = await api.graphql(CREATE, { input: { title, description: title } }, { token: user.jwt });
    expectSafeAnswer(created);
    expect(created.data!.createTask.title).toBe(title.trim());
    const found = await api.graphql(LIST, { filter: { search: title.trim().slice(0, 12) } }, { token: user.jwt });
    expectSafeAnswer(found);
    expect(found.data!.tasks.edges.map((edge: { node: { title: string } }) => edge.node.title)).toContain(title.trim());
  });

  it('refuses a NUL byte (PostgreSQL cannot store one) with BAD_USER_INPUT, on both databases alike, storing nothing', async () => {
    const created = await api.graphql(CREATE, { input: { title: '\u0000nul byte', description: 'x' } }, { token: user.jwt });
    expectSafeAnswer(created);
    expect(created.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(created.data ?? null).toBeNull();
  });

  it('still has every table and every user after all of that', async () => {
    const me = await api.graphql('{ me { id } tasks { totalCount } }', {}, { token: user.jwt });
    expect(me.data!.me.id).toBe(user.id);
    expect(me.data!.tasks.totalCount).toBeGreaterThanOrEqual(SQLISH.length);
  });
});

describe('property: no input makes the API answer 5xx or leak internals (fast-check)', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 600 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.constantFrom(...SQLISH),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });
  const anyJson = fc.oneof(
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
  );
  const priority = fc.oneof(fc.constantFrom('LOW', 'MEDIUM', 'HIGH'), anyJson);
  const date = fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    text,
    anyJson,
  );

  it('createTask', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { title: fc.oneof(text, anyJson), description: maybe(fc.oneof(text, anyJson)), priority: maybe(priority), dueDate: maybe(date) },
          { requiredKeys: [] },
        ),
        async (input) => expectSafeAnswer(await api.graphql(CREATE, { input }, { token: user.jwt })),
      ),
      { numRuns: 120 },
    );
  });

  it('updateTask', async () => {
    const id = (await api.graphql(CREATE, { input: { title: 'fuzz target' } }, { token: user.jwt })).data!.createTask.id as string;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(id), text),
        fc.record({ title: maybe(fc.oneof(text, anyJson)), completed: maybe(anyJson), priority: maybe(priority), dueDate: maybe(date) }, { requiredKeys: [] }),
        async (taskId, input) => expectSafeAnswer(await api.graphql(UPDATE, { id: taskId, input }, { token: user.jwt })),
      ),
      { numRuns: 120 },
    );
  });

  it('tasks(filter, orderBy, first, after)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            status: maybe(fc.oneof(fc.constantFrom('ALL', 'ACTIVE', 'COMPLETED'), anyJson)),
            search: maybe(text),
            priority: maybe(priority),
            dueBefore: maybe(date),
            dueAfter: maybe(date),
          },
          { requiredKeys: [] },
        ),
        maybe(
          fc.record({
            field: fc.oneof(fc.constantFrom('CREATED_AT', 'UPDATED_AT', 'DUE_DATE', 'PRIORITY', 'TITLE'), anyJson),
            direction: fc.oneof(fc.constantFrom('ASC', 'DESC'), anyJson),
          }),
        ),
        maybe(fc.oneof(fc.integer({ min: -5, max: 200 }), anyJson)),
        maybe(fc.oneof(text, fc.base64String({ maxLength: 60 }))),
        async (filter, orderBy, first, after) => expectSafeAnswer(await api.graphql(LIST, { filter, orderBy, first, after }, { token: user.jwt })),
      ),
      { numRuns: 150 },
    );
  });

  it('arbitrary documents and variables', async () => {
    const fragments = [
      '{',
      '}',
      '(',
      ')',
      'query',
      'mutation',
      'me',
      'tasks',
      'task',
      'id',
      'title',
      'createTask',
      'input:',
      '$x',
      '...',
      'on',
      '@include',
      '"str"',
      '1',
      '__schema',
      '__typename',
      ':',
      '[',
      ']',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...fragments), { maxLength: 40 }).map((parts) => parts.join(' ')),
        fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 }),
        async (query, variables) => {
          expectSafeAnswer(await api.graphql(query, variables, { token: user.jwt }));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('parameters in the URL (GET) and form bodies', () => {
  it('answers variables or extensions that are not JSON with 400 BAD_REQUEST, not a 500', async () => {
    for (const parameter of ['variables', 'extensions']) {
      const response = await fetch(`${api.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}&${parameter}=%7Bbad`, {
        headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${user.jwt}` },
      });
      expect(response.status, parameter).toBe(400);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code, parameter).toBe('BAD_REQUEST');
    }
    const form = await fetch(`${api.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/graphql-response+json' },
      body: `query=${encodeURIComponent('{ __typename }')}&variables=%7Bbad`,
    });
    expect(form.status).toBe(400);
  });
});
