import { describe, expect, it, vi } from 'vitest';
import { createFakeTaskApi, fakeJwt, makeTask } from '../testing/fakeTaskApi';
import { createAccessTokenStore, SessionEndedError } from './accessToken';
import { createGraphQLClient } from './graphqlClient';
import { TaskListQuery } from './taskDocuments';

const LIST = { filter: { status: 'ALL' as const }, orderBy: { field: 'CREATED_AT' as const, direction: 'DESC' as const }, first: 20 };

function setup({ fetchToken = vi.fn(async () => fakeJwt()), now }: { fetchToken?: () => Promise<string>; now?: () => number } = {}) {
  const api = createFakeTaskApi([makeTask({ title: 'Existing' })]);
  const tokens = createAccessTokenStore({ fetchToken, ...(now ? { now } : {}) });
  const onSessionEnded = vi.fn();
  const client = createGraphQLClient({ tokens, onSessionEnded, fetch: api.fetch, url: 'http://localhost/graphql' });
  return { api, tokens, client, onSessionEnded, fetchToken };
}

describe('GraphQL client authentication', () => {
  it('sends every operation as a POST with Authorization: Bearer and without cookies', async () => {
    const { api, client } = setup();
    const result = await client.query(TaskListQuery, LIST).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.tasks.edges[0]?.node.title).toBe('Existing');
    const [request] = api.requests;
    expect(request?.method).toBe('POST');
    expect(request?.credentials).toBe('omit');
    expect(request?.headers.get('authorization')).toMatch(/^Bearer ey/);
    expect(request?.headers.get('cookie')).toBeNull();
  });

  it('fetches a JWT before the first request and reuses it while it is fresh', async () => {
    const { client, fetchToken } = setup();
    await client.query(TaskListQuery, LIST).toPromise();
    await client.query(TaskListQuery, { ...LIST, first: 5 }).toPromise();
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('renews the JWT shortly before it expires, without a failed request', async () => {
    let now = Date.now();
    const fetchToken = vi.fn(async () => fakeJwt(20, Math.floor(now / 1000)));
    const { api, client } = setup({ fetchToken, now: () => now });
    await client.query(TaskListQuery, LIST).toPromise();
    now += 16_000; // inside the last quarter of a 20 s token
    const result = await client.query(TaskListQuery, { ...LIST, first: 5 }).toPromise();
    expect(result.error).toBeUndefined();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(api.requests).toHaveLength(2);
  });

  it('renews once and retries when the API answers 401', async () => {
    const { api, client, fetchToken } = setup();
    await client.query(TaskListQuery, LIST).toPromise();
    api.rejectTokens(1);
    const result = await client.query(TaskListQuery, { ...LIST, first: 5 }).toPromise();
    expect(result.error).toBeUndefined();
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(api.requests.map((request) => request.operationName)).toEqual(['TaskList', 'TaskList', 'TaskList']);
  });

  it('does not loop when the API keeps answering 401', async () => {
    const { api, client, fetchToken } = setup();
    await client.query(TaskListQuery, LIST).toPromise();
    api.rejectTokens(10);
    const result = await client.query(TaskListQuery, { ...LIST, first: 5 }).toPromise();
    expect(result.error?.response?.status).toBe(401);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(api.requests).toHaveLength(3);
  });

  it('ends the session when the JWT cannot be renewed', async () => {
    const { client, onSessionEnded } = setup({ fetchToken: async () => Promise.reject(new SessionEndedError()) });
    const result = await client.query(TaskListQuery, LIST).toPromise();
    expect(result.error).toBeDefined();
    expect(onSessionEnded).toHaveBeenCalledWith(expect.any(SessionEndedError));
  });

  it('keeps the session on a network failure while renewing (the error is shown instead)', async () => {
    const { client, onSessionEnded } = setup({ fetchToken: async () => Promise.reject(new Error('offline')) });
    const result = await client.query(TaskListQuery, LIST).toPromise();
    expect(result.error).toBeDefined();
    expect(onSessionEnded).not.toHaveBeenCalled();
  });
});
