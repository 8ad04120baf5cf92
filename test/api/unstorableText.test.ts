import { describe, expect, it } from 'vitest';
import { codesOf } from '../support/client.js';
import { useServerWithUser } from '../support/fixtures.js';

// PostgreSQL's text cannot hold U+0000 and stores an unpaired surrogate as U+FFFD; SQLite took
// both. Both databases now refuse them alike, as BAD_USER_INPUT naming the field, and store nothing.
const { api, user } = useServerWithUser();

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title description } }';
const taskCount = async () => (await api.graphql('{ tasks { totalCount } }', {}, { token: user.jwt })).data!.tasks.totalCount as number;

function expectRefused(response: Awaited<ReturnType<typeof api.graphql>>, field: string) {
  expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
  expect(response.errors![0]!.extensions!.field).toBe(field);
}

describe('text a database would refuse or alter', () => {
  it.each([
    ['a NUL in a title', { title: 'a\u0000b' }, 'input.title'],
    ['an unpaired surrogate in a title', { title: 'a\ud800b' }, 'input.title'],
    ['a NUL in a description', { title: 'fine', description: 'x\u0000y' }, 'input.description'],
    ['an unpaired low surrogate in a description', { title: 'fine', description: '\udc00' }, 'input.description'],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, input, field) => {
    const before = await taskCount();
    expectRefused(await api.graphql(CREATE, { input }, { token: user.jwt }), field);
    expect(await taskCount()).toBe(before);
  });

  it('keeps an edited task unchanged when the new description holds a NUL', async () => {
    const created = await api.graphql(CREATE, { input: { title: 'keep me', description: 'as it was' } }, { token: user.jwt });
    const id = created.data!.createTask.id as string;
    const update = 'mutation ($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { id } }';
    expectRefused(await api.graphql(update, { id, input: { description: 'new\u0000' } }, { token: user.jwt }), 'input.description');
    const read = await api.graphql('query ($id: ID!) { task(id: $id) { title description } }', { id }, { token: user.jwt });
    expect(read.data).toEqual({ task: { title: 'keep me', description: 'as it was' } });
  });

  it('stores emoji and other characters outside the basic plane (paired surrogates) as given', async () => {
    const created = await api.graphql(CREATE, { input: { title: '🙂 𝄞 done', description: '👩‍💻' } }, { token: user.jwt });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createTask).toMatchObject({ title: '🙂 𝄞 done', description: '👩‍💻' });
  });

  it('refuses a search or an id holding a NUL, and an id longer than 128 characters, without reaching the database', async () => {
    expectRefused(
      await api.graphql('query ($search: String) { tasks(filter: { search: $search }) { totalCount } }', { search: 'a\u0000' }, { token: user.jwt }),
      'filter.search',
    );
    for (const query of [
      'query ($id: ID!) { task(id: $id) { id } }',
      'mutation ($id: ID!) { deleteTask(id: $id) }',
      'mutation ($id: ID!) { toggleTask(id: $id) { id } }',
    ]) {
      expectRefused(await api.graphql(query, { id: 'a\u0000' }, { token: user.jwt }), 'id');
      const long = await api.graphql(query, { id: 'x'.repeat(90_000) }, { token: user.jwt });
      expectRefused(long, 'id');
      expect(JSON.stringify(long.body).length).toBeLessThan(2000);
    }
    // A well-formed id that names no task is still NOT_FOUND.
    expect(codesOf(await api.graphql('query ($id: ID!) { task(id: $id) { id } }', { id: 'nosuchtask' }, { token: user.jwt }))).toEqual(['NOT_FOUND']);
  });
});
