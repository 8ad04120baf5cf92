import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.js';
import { startServer, type RunningServer } from '../support/server.js';
import { subscribe, type SseStream } from '../support/sse.js';

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }';

describe('live updates across two ROLE=api nodes on PostgreSQL (LISTEN/NOTIFY)', () => {
  let postgres: ThrowawayPostgres;
  let authNode: RunningServer;
  let apiNodes: RunningServer[];
  const streams: SseStream[] = [];

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    const databaseUrl = new URL(postgres.url);
    databaseUrl.pathname = '/taskfort_live';
    const secret = 'shared-secret-for-the-auth-node-0123456789abcdef';
    authNode = await startServer({ env: { ROLE: 'auth', DATABASE_URL: databaseUrl.toString(), BETTER_AUTH_SECRET: secret }, readyTimeoutMs: 110_000 });
    const apiEnv = {
      ROLE: 'api',
      DATABASE_URL: databaseUrl.toString(),
      AUTH_JWKS_URL: `${authNode.url}/api/auth/jwks`,
      BETTER_AUTH_URL: authNode.url,
      BETTER_AUTH_SECRET: undefined,
    };
    apiNodes = await Promise.all([startServer({ env: apiEnv, readyTimeoutMs: 110_000 }), startServer({ env: apiEnv, readyTimeoutMs: 110_000 })]);
  }, 300_000);
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await Promise.all([...(apiNodes ?? []).map((node) => node.stop()), authNode?.stop()]);
    postgres?.stop();
  }, 60_000);

  async function create(node: RunningServer, user: TestUser, title: string) {
    return new ApiClient(node.url).graphql(CREATE, { input: { title } }, { token: user.jwt });
  }

  it('a change made through one node reaches streams on the other, and only its owner’s', async () => {
    const auth = new ApiClient(authNode.url);
    const [user, other] = await Promise.all([auth.createUser(), auth.createUser()]);
    const [onFirst, onSecond, othersStream] = await Promise.all([
      subscribe(apiNodes[0]!.url, { token: user.jwt }),
      subscribe(apiNodes[1]!.url, { token: user.jwt }),
      subscribe(apiNodes[0]!.url, { token: other.jwt }),
    ]);
    streams.push(onFirst, onSecond, othersStream);
    const created = await create(apiNodes[1]!, user, 'made on node 2');
    expect(created.errors).toBeUndefined();
    const id = created.data!.createTask.id;
    for (const stream of [onFirst, onSecond]) {
      const [event] = await stream.take(1);
      expect(event!.data!.data.taskEvents).toMatchObject({ kind: 'CREATED', taskId: id, task: { id, title: 'made on node 2', owner: { id: user.id } } });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(onFirst.messages).toHaveLength(1);
    expect(onSecond.messages).toHaveLength(1);
    expect(othersStream.messages).toEqual([]);
  });

  it('a burst of concurrent changes on one node reaches the other once each, identical ones included', async () => {
    const user = await new ApiClient(authNode.url).createUser();
    const stream = await subscribe(apiNodes[0]!.url, { token: user.jwt });
    streams.push(stream);
    const first = await create(apiNodes[1]!, user, 'toggled in the burst');
    const toggledId = first.data!.createTask.id as string;
    await stream.take(1);

    // Sent at once, so many leave node 2 in one NOTIFY statement; concurrent toggles of one task
    // can even make identical changes (same kind, task and millisecond).
    const writer = new ApiClient(apiNodes[1]!.url);
    const toggle = () => writer.graphql('mutation ($id: ID!) { toggleTask(id: $id) { id } }', { id: toggledId }, { token: user.jwt });
    const responses = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => create(apiNodes[1]!, user, `burst ${i}`)),
      ...Array.from({ length: 20 }, toggle),
    ]);
    expect(responses.filter((response) => response.errors)).toEqual([]);
    const createdIds = responses.slice(0, 60).map((response) => response.data!.createTask.id as string);

    const events = (await stream.take(80, 15_000)).map((message) => message.data!.data.taskEvents as { kind: string; taskId: string });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stream.messages).toHaveLength(81);
    expect(
      events
        .filter((event) => event.kind === 'CREATED')
        .map((event) => event.taskId)
        .sort(),
    ).toEqual([...createdIds].sort());
    expect(events.filter((event) => event.kind === 'UPDATED').map((event) => event.taskId)).toEqual(Array.from({ length: 20 }, () => toggledId));
  });

  it('keeps the stream open through a PostgreSQL restart; events resume once the node LISTENs again', async () => {
    const user = await new ApiClient(authNode.url).createUser();
    const stream = await subscribe(apiNodes[0]!.url, { token: user.jwt });
    streams.push(stream);
    expect((await create(apiNodes[1]!, user, 'before the restart')).errors).toBeUndefined();
    await stream.take(1);

    postgres.pause();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    postgres.start();

    // Changes committed before the node LISTENs again are not replayed (at-most-once; clients
    // refetch after reconnecting), so write until one arrives, then every later one must.
    const deadline = Date.now() + 30_000;
    let resumed = false;
    while (!resumed && Date.now() < deadline) {
      const response = await create(apiNodes[1]!, user, 'after the restart');
      if (response.status === 200 && !response.errors) {
        resumed = await stream.take(1, 1000).then(
          () => true,
          () => false,
        );
      } else {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(resumed).toBe(true);
    const seen = stream.messages.length;
    for (let i = 0; i < 3; i++) expect((await create(apiNodes[1]!, user, `steady ${i}`)).errors).toBeUndefined();
    await stream.take(3, 5000);
    expect(stream.messages).toHaveLength(seen + 3);
    expect(await apiNodes[0]!.flushedOutput()).toContain('listening again after reconnect');
  }, 120_000);
});
