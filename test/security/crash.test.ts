import { describe, expect, it } from 'vitest';
import { ApiClient, type GraphQLResponse } from '../support/client.js';
import { startServer, tempDataDir } from '../support/server.js';

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title } }';
const TOGGLE = 'mutation ($id: ID!) { toggleTask(id: $id) { id completed } }';
const LIST = 'query ($after: String) { tasks(first: 100, after: $after) { edges { node { id title completed } } pageInfo { hasNextPage endCursor } } }';

describe('crash safety (SQLite WAL, synchronous=FULL)', () => {
  it('SIGKILL mid-burst loses no acknowledged write and duplicates none; a restart on the same file serves again', async () => {
    const dataDir = tempDataDir();
    const secret = 'crash-test-secret-0123456789abcdef0123456789';
    const first = await startServer({ dataDir, env: { BETTER_AUTH_SECRET: secret } });
    const api = new ApiClient(first.url);
    const user = await api.createUser();
    const flip = (await api.graphql(CREATE, { input: { title: 'flip' } }, { token: user.jwt })).data!.createTask.id as string;

    const acknowledged = new Set<string>();
    let acknowledgedToggles = 0;
    let failed = 0;
    let killed = false;
    const lane = async (laneIndex: number) => {
      for (let i = 0; i < 60; i++) {
        try {
          if (i % 4 === 3) {
            const response = await api.graphql(TOGGLE, { id: flip }, { token: user.jwt });
            if (response.status === 200 && response.data?.toggleTask) acknowledgedToggles++;
            else failed++;
          } else {
            const title = `crash ${laneIndex}-${i}`;
            const response = await api.graphql(CREATE, { input: { title } }, { token: user.jwt });
            if (response.status === 200 && response.data?.createTask) acknowledged.add(title);
            else failed++;
          }
        } catch {
          failed++;
        }
        if (!killed && acknowledged.size >= 80) {
          killed = true;
          first.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_v, i) => lane(i)));
    expect(await first.stop()).toBeNull(); // killed by a signal, not exited

    const second = await startServer({ dataDir, env: { BETTER_AUTH_SECRET: secret } });
    try {
      const api2 = new ApiClient(second.url);
      const token = await api2.jwtFor(user.sessionToken);
      const titles: string[] = [];
      let flipCompleted: boolean | undefined;
      let after: string | null = null;
      for (;;) {
        const page: GraphQLResponse = await api2.graphql(LIST, { after }, { token });
        for (const { node } of page.data!.tasks.edges as { node: { id: string; title: string; completed: boolean } }[]) {
          if (node.id === flip) flipCompleted = node.completed;
          else titles.push(node.title);
        }
        if (!page.data!.tasks.pageInfo.hasNextPage) break;
        after = page.data!.tasks.pageInfo.endCursor;
      }
      const missing = [...acknowledged].filter((title) => !titles.includes(title));
      console.log(
        `[crash] acknowledged ${acknowledged.size} creates and ${acknowledgedToggles} toggles before SIGKILL, ${failed} requests failed, ${titles.length} tasks stored, ${missing.length} acknowledged writes missing`,
      );
      expect(missing).toEqual([]);
      expect(new Set(titles).size).toBe(titles.length);
      expect(flipCompleted).toBeTypeOf('boolean');
      // The restarted server takes writes again.
      const again = await api2.graphql(CREATE, { input: { title: 'after the crash' } }, { token });
      expect(again.status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
