import { describe, expect, it } from 'vitest';
import { JIT_AFTER_EXECUTIONS } from '../../server/graphql/jit.js';
import { useServerWithUser } from '../support/fixtures.js';

// A document sent often runs on graphql-jit (server/graphql/jit.ts); before that on graphql-js.
// A client must not be able to tell which: same data, same error codes, messages and fields.
const { api, user } = useServerWithUser();

async function sendRepeatedly(query: string, variables: Record<string, unknown>) {
  const responses = [];
  for (let i = 0; i < JIT_AFTER_EXECUTIONS + 2; i++) responses.push(await api.graphql(query, variables, { token: user.jwt }));
  return responses.map((response) => ({
    status: response.status,
    data: response.data ?? null,
    errors: response.errors?.map(({ message, extensions }) => ({ message, extensions })),
  }));
}

describe('graphql-jit and graphql-js answer alike', () => {
  it.each([
    ['a string where the search is', 'query ($f: TaskFilter) { tasks(filter: $f) { totalCount } }', { f: { search: 5 } }],
    ['a malformed Date', 'query ($f: TaskFilter) { tasks(filter: $f) { totalCount } }', { f: { dueBefore: '2026-13-45' } }],
    ['an unknown enum value', 'query ($f: TaskFilter) { tasks(filter: $f) { totalCount } }', { f: { status: 'SOMETIMES' } }],
    ['a missing required variable', 'query ($id: ID!) { task(id: $id) { id } }', {}],
  ])('refuses %s with the same error on every execution', async (_label, query, variables) => {
    const [first, ...rest] = await sendRepeatedly(query, variables);
    expect(first!.errors?.length).toBeGreaterThan(0);
    for (const response of rest) expect(response).toEqual(first);
  });

  it('returns the same data on every execution', async () => {
    await api.graphql('mutation { createTask(input: { title: "jit", priority: HIGH, dueDate: "2026-12-24" }) { id } }', {}, { token: user.jwt });
    const [first, ...rest] = await sendRepeatedly(
      'query ($first: Int!) { tasks(first: $first, filter: { priority: HIGH }) { totalCount edges { node { title priority dueDate completed } } } }',
      { first: 5 },
    );
    expect(first!.data).toMatchObject({
      tasks: { totalCount: 1, edges: [{ node: { title: 'jit', priority: 'HIGH', dueDate: '2026-12-24', completed: false } }] },
    });
    for (const response of rest) expect(response).toEqual(first);
  });
});
