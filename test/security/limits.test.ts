import { request as httpRequest } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ApiClient, codesOf } from '../support/client.js';
import { useServerWithUser } from '../support/fixtures.js';
import { startServer } from '../support/server.js';

// OWASP API4:2023 (unrestricted resource consumption) and the OWASP GraphQL cheat sheet:
// every limit is refused before execution, with a code, never a 5xx.
const { server, api, user } = useServerWithUser();

const count = async () => (await api.graphql('{ tasks { totalCount } }', {}, { token: user.jwt })).data!.tasks.totalCount as number;

function expectRefusedAsTooComplex(response: Awaited<ReturnType<ApiClient['graphql']>>) {
  expect(response.status).toBe(400);
  expect(codesOf(response)).toContain('QUERY_TOO_COMPLEX');
  expect(response.data ?? null).toBeNull();
}

function nestedOwnerTasks(levels: number): string {
  let selection = 'id';
  for (let i = 0; i < levels; i++) selection = `tasks(first: 1) { edges { node { owner { ${selection} } } } }`;
  return `{ me { ${selection} } }`;
}

describe('query cost limits', () => {
  it('refuses the User→tasks→owner cycle beyond the depth limit (10), before any resolver runs', async () => {
    expect((await api.graphql(nestedOwnerTasks(1), {}, { token: user.jwt })).status).toBe(200);
    expectRefusedAsTooComplex(await api.graphql(nestedOwnerTasks(4), {}, { token: user.jwt }));
  });

  it('refuses more than 15 aliases', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_v, i) => `a${i}: me { id }`).join(' ')} }`;
    expectRefusedAsTooComplex(await api.graphql(query, {}, { token: user.jwt }));
  });

  it('refuses 500 aliased createTask mutations and writes nothing', async () => {
    const before = await count();
    const mutation = `mutation { ${Array.from({ length: 500 }, (_v, i) => `c${i}: createTask(input: {title: "flood ${i}"}) { id }`).join(' ')} }`;
    const response = await api.graphql(mutation, {}, { token: user.jwt });
    expect(response.status).toBe(400);
    expect(codesOf(response)[0]).toBe('QUERY_TOO_COMPLEX');
    expect(await count()).toBe(before);
  });

  it('costs a mutation more than a read: under a budget of 100, ten reads pass and five writes are refused unwritten', async () => {
    const small = await startServer({ env: { GRAPHQL_MAX_COMPLEXITY: '100' } });
    try {
      const smallApi = new ApiClient(small.url);
      const owner = await smallApi.createUser();
      const reads = `{ ${Array.from({ length: 10 }, (_v, i) => `r${i}: me { id email }`).join(' ')} }`;
      expect((await smallApi.graphql(reads, {}, { token: owner.jwt })).status).toBe(200);
      const writes = `mutation { ${Array.from({ length: 5 }, (_v, i) => `w${i}: createTask(input: {title: "w${i}"}) { id }`).join(' ')} }`;
      const response = await smallApi.graphql(writes, {}, { token: owner.jwt });
      expect(response.status).toBe(400);
      expect(codesOf(response)).toContain('QUERY_TOO_COMPLEX');
      expect((await smallApi.graphql('{ tasks { totalCount } }', {}, { token: owner.jwt })).data).toEqual({ tasks: { totalCount: 0 } });
    } finally {
      await small.stop();
    }
  });

  it('refuses a large page of a large page (list multipliers)', async () => {
    const query = '{ tasks(first: 100) { edges { node { owner { tasks(first: 100) { edges { node { id title description } } } } } } } }';
    expectRefusedAsTooComplex(await api.graphql(query, {}, { token: user.jwt }));
  });

  it('refuses more than 10 directives', async () => {
    const query = `{ me { id ${Array.from({ length: 11 }, () => '@include(if: true)').join(' ')} } }`;
    expectRefusedAsTooComplex(await api.graphql(query, {}, { token: user.jwt }));
  });

  it('refuses a document of more than 1000 tokens while parsing it', async () => {
    const query = `{ me { ${Array.from({ length: 1200 }, () => 'id').join(' ')} } }`;
    // A parse-time refusal follows GraphQL-over-HTTP: 400 for application/graphql-response+json,
    // 200 with the error for legacy application/json clients. Never executed either way.
    expectRefusedAsTooComplex(await api.graphql(query, {}, { token: user.jwt, headers: { accept: 'application/graphql-response+json' } }));
    const legacy = await api.graphql(query, {}, { token: user.jwt });
    expect(codesOf(legacy)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(legacy.data ?? null).toBeNull();
  });

  it('refuses a second __schema in one operation, aliased or through fragments (the depth limit skips introspection)', async () => {
    const aliased = `{ ${Array.from({ length: 15 }, (_v, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`;
    expectRefusedAsTooComplex(await api.graphql(aliased));
    const throughFragments =
      '{ ...Outer x: __schema { queryType { name } } } fragment Outer on Query { ...Inner } fragment Inner on Query { __schema { queryType { name } } }';
    expectRefusedAsTooComplex(await api.graphql(throughFragments));
    // Fragments spread twice at each of 25 levels are counted once each, not 2^25 times.
    let nested = '{ ...F0 __schema { queryType { name } } }\n';
    for (let i = 0; i < 25; i++) nested += `fragment F${i} on Query { ...F${i + 1} ... on Query { ...F${i + 1} } }\n`;
    const once = await api.graphql(`${nested}fragment F25 on Query { __typename }`);
    expect(once.errors).toBeUndefined();
    expect(once.data).toMatchObject({ __schema: { queryType: { name: 'Query' } }, __typename: 'Query' });
  });

  it('still lets GraphiQL introspect the whole schema', async () => {
    const response = await api.graphql(getIntrospectionQuery());
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });
});

describe("search time budget (a search reads all of its owner's tasks)", () => {
  const SEARCH = '{ tasks(filter: { search: "needle" }) { totalCount edges { node { title } } } }';
  /** One searched statement: it runs whenever the user's bucket is not empty. */
  const SEARCH_PAGE = '{ tasks(filter: { search: "needle" }) { edges { node { title } } } }';

  it("refuses a user's searches with RATE_LIMITED (429, Retry-After) once they have used their time, and nothing else", async () => {
    // 1 ms of search time per minute: a user's first searched statement runs (the bucket starts
    // full), and the time real searches take soon overdraws it.
    const tight = await startServer({ env: { SEARCH_TIME_PER_MINUTE: '1ms' } });
    try {
      const tightApi = new ApiClient(tight.url);
      const [heavy, other] = [await tightApi.createUser(), await tightApi.createUser()];
      await tightApi.graphql('mutation { createTask(input: { title: "a needle in the haystack" }) { id } }', {}, { token: heavy.jwt });
      const first = await tightApi.graphql(SEARCH_PAGE, {}, { token: heavy.jwt });
      expect(first.data).toEqual({ tasks: { edges: [{ node: { title: 'a needle in the haystack' } }] } });
      let refused: Awaited<ReturnType<ApiClient['graphql']>> | undefined;
      for (let attempt = 0; attempt < 50 && !refused; attempt++) {
        const response = await tightApi.graphql(SEARCH, {}, { token: heavy.jwt });
        if (response.errors) refused = response;
      }
      expect(refused, 'no search was refused in 50 tries').toBeDefined();
      expect(refused!.status).toBe(429);
      expect(new Set(codesOf(refused!))).toEqual(new Set(['RATE_LIMITED']));
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(refused!.body)).not.toMatch(/stack|prisma|sqlite/i);
      // The same user's lists without a search, and other users' searches, go on as before.
      expect((await tightApi.graphql('{ tasks { totalCount } }', {}, { token: heavy.jwt })).data).toEqual({ tasks: { totalCount: 1 } });
      const otherSearch = await tightApi.graphql(SEARCH_PAGE, {}, { token: other.jwt });
      expect(otherSearch.status).toBe(200);
      expect(otherSearch.data).toEqual({ tasks: { edges: [] } });
    } finally {
      await tight.stop();
    }
  });
});

describe('request shape limits', () => {
  it('answers a body that is not JSON with BAD_REQUEST and does not quote the body back', async () => {
    for (const body of ['{"query": "{ me { id } }", marker-5f3a', '[1, marker-5f3a']) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${user.jwt}` },
        body,
      });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(text).not.toContain('marker-5f3a');
      expect(text).not.toContain('originalError');
    }
  });

  it('refuses batched arrays of operations', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.jwt}` },
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses a 5 MB body with 413 before reading it, and the server stays up', async () => {
    const before = await count();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.jwt}` },
      body: JSON.stringify({ query: 'mutation ($t: String!) { createTask(input: {title: $t}) { id } }', variables: { t: 'x'.repeat(5 * 1024 * 1024) } }),
    }).catch((error: unknown) => error);
    if (response instanceof Response) expect(response.status).toBe(413);
    expect(await count()).toBe(before);
  });

  it('refuses a chunked body without a length (411), so nothing can stream past the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => resolve(response.statusCode ?? 0));
      request.on('error', reject);
      request.write('{"query":"{ __typename }"');
      request.end('}');
    });
    expect(status).toBe(411);
  });

  it('refuses 32 KB of headers with 431', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${server.url}/graphql?query=%7B__typename%7D`, { headers: { 'x-padding': 'p'.repeat(32 * 1024) } });
      request.on('response', (response) => resolve(response.statusCode ?? 0));
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(431);
  });

  it('refuses a 1 MB password before hashing it', async () => {
    const response = await api.signUp({ name: 'Big', email: 'big@example.com', password: 'p'.repeat(1024 * 1024) }).catch((error: unknown) => error);
    if (response instanceof Response) expect(response.status).toBe(413);
    const signIn = await api.signIn({ email: user.email, password: 'p'.repeat(1024 * 1024) }).catch((error: unknown) => error);
    if (signIn instanceof Response) expect(signIn.status).toBe(413);
    // On a new connection: fetch may reuse the socket the server closed after its 413 (ECONNRESET).
    const body = JSON.stringify({ email: user.email, password: user.password });
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', origin: server.url, 'content-length': String(Buffer.byteLength(body)) },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(body);
    });
    expect(status).toBe(200);
  });
});
