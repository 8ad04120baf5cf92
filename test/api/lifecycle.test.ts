import { describe, expect, it } from 'vitest';
import { ApiClient, type GraphQLResponse } from '../support/client.js';
import { useServer } from '../support/fixtures.js';
import { startServer, tempDataDir } from '../support/server.js';

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title } }';
const LIST = 'query ($after: String) { tasks(first: 100, after: $after) { edges { node { id title } } pageInfo { hasNextPage endCursor } } }';

async function allTaskTitles(api: ApiClient, token: string): Promise<{ ids: string[]; titles: string[] }> {
  const ids: string[] = [];
  const titles: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GraphQLResponse = await api.graphql(LIST, { after }, { token });
    const connection = page.data!.tasks as { edges: { node: { id: string; title: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    for (const { node } of connection.edges) {
      ids.push(node.id);
      titles.push(node.title);
    }
    if (!connection.pageInfo.hasNextPage) return { ids, titles };
    after = connection.pageInfo.endCursor;
  }
}

describe('health endpoints, on a first start', () => {
  // The one server here that starts on an empty database (every other starts on a migrated copy).
  const { server, api } = useServer({ freshDatabase: true });

  it('applies every committed migration on a first start, and serves', async () => {
    const user = await api.createUser();
    const response = await api.graphql('{ tasks { totalCount } }', {}, { token: user.jwt });
    expect(response.data).toEqual({ tasks: { totalCount: 0 } });
  });

  it('/healthz says the process is up; /readyz checks the database and the keys', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', role: 'all' });

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ status: 'ready', role: 'all', checks: { database: 'ok', keys: 'ok' } });
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM during a burst of writes: the server exits cleanly and every acknowledged write is stored, once', async () => {
    const dataDir = tempDataDir();
    const secret = 'a-fixed-secret-for-the-restart-test-0123456789';
    const first = await startServer({ dataDir, env: { BETTER_AUTH_SECRET: secret } });
    const api = new ApiClient(first.url);
    const user = await api.createUser();

    const acknowledged: string[] = [];
    let refused = 0;
    let sent = 0;
    let stopping: Promise<number | null> | undefined;
    const worker = async (lane: number) => {
      for (let i = 0; i < 40; i++) {
        const title = `burst ${lane}-${i}`;
        sent++;
        try {
          const response = await api.graphql(CREATE, { input: { title } }, { token: user.jwt });
          if (response.status === 200 && response.data?.createTask) acknowledged.push(title);
          else refused++;
        } catch {
          refused++; // connection refused or closed: not acknowledged
        }
        if (acknowledged.length === 60 && !stopping) stopping = first.stop('SIGTERM');
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_v, lane) => worker(lane)));
    const exitCode = await stopping;
    expect(exitCode).toBe(0);
    expect(first.output()).toMatch(/SIGTERM: draining/);
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);

    const second = await startServer({ dataDir, env: { BETTER_AUTH_SECRET: secret } });
    try {
      const api2 = new ApiClient(second.url);
      const token = await api2.jwtFor(user.sessionToken);
      const { titles } = await allTaskTitles(api2, token);
      for (const title of acknowledged) expect(titles).toContain(title);
      expect(new Set(titles).size).toBe(titles.length);
      console.log(`[graceful shutdown] sent ${sent}, acknowledged ${acknowledged.length}, refused after SIGTERM ${refused}, stored ${titles.length}`);
    } finally {
      await second.stop();
    }
  });
});

describe('cluster mode (WEB_CONCURRENCY)', () => {
  const { server } = useServer({ env: { WEB_CONCURRENCY: '2' } });

  it('runs two workers on one port that share the database and keys', async () => {
    const deadline = Date.now() + 30_000;
    while ((server.output().match(/all node listening/g) ?? []).length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const pids = new Set([...server.output().matchAll(/listening on \S+ \(pid (\d+)/g)].map((match) => match[1]));
    expect(pids.size).toBe(2);

    const api = new ApiClient(server.url);
    const user = await api.createUser();
    // Fresh connections spread across workers; every one must accept the same token and see the same data.
    const created = await Promise.all(Array.from({ length: 20 }, (_v, i) => api.graphql(CREATE, { input: { title: `worker ${i}` } }, { token: user.jwt })));
    expect(created.every((response) => response.status === 200 && !response.errors)).toBe(true);
    const { titles } = await allTaskTitles(api, user.jwt);
    expect(titles).toHaveLength(20);
  });
});
