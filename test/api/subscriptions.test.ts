import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';
import { subscribe, TASK_EVENTS, type SseStream } from '../support/sse.js';
import { bearer, REVOCATION_BOUND_MS, signInSession } from './sessionHelpers.js';

const CREATE = `mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { id title } }`;
const TOGGLE = `mutation ($id: ID!) { toggleTask(id: $id) { id completed } }`;
const DELETE = `mutation ($id: ID!) { deleteTask(id: $id) }`;

let server: RunningServer;
let api: ApiClient;
const streams: SseStream[] = [];

async function open(user: TestUser | string | undefined, options: Parameters<typeof subscribe>[1] = {}) {
  const token = typeof user === 'string' ? user : user?.jwt;
  const stream = await subscribe(server.url, { token, ...options });
  streams.push(stream);
  return stream;
}

async function createTask(user: TestUser, title: string): Promise<string> {
  const response = await api.graphql(CREATE, { input: { title } }, { token: user.jwt });
  expect(response.errors).toBeUndefined();
  return response.data!.createTask.id;
}

/** Waits a moment in which an event, if one were coming, would have arrived. */
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, 300));

beforeAll(async () => {
  // A short keep-alive so the keep-alive test need not wait 12 s; the default is checked in config.
  server = await startServer({ env: { SUBSCRIPTION_KEEPALIVE: '1s' }, readyTimeoutMs: 110_000 });
  api = new ApiClient(server.url);
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await server?.stop();
});

describe('Subscription.taskEvents over SSE', () => {
  it('carries one event per change, for every kind, after the change committed', async () => {
    const user = await api.createUser();
    const stream = await open(user);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');

    const id = await createTask(user, 'Live one');
    const [created] = await stream.take(1);
    expect(created!.event).toBe('next');
    expect(created!.data).toEqual({
      data: { taskEvents: { kind: 'CREATED', taskId: id, at: expect.any(String), task: { id, title: 'Live one', completed: false, owner: { id: user.id } } } },
    });
    expect(Date.now() - Date.parse(created!.data!.data.taskEvents.at)).toBeLessThan(5000);

    await api.graphql(UPDATE, { id, input: { title: 'Renamed' } }, { token: user.jwt });
    const [updated] = await stream.take(1);
    // The subscriber reads the task itself, so it sees the committed row.
    expect(updated!.data!.data.taskEvents).toMatchObject({ kind: 'UPDATED', taskId: id, task: { title: 'Renamed', completed: false } });

    await api.graphql(TOGGLE, { id }, { token: user.jwt });
    const [toggled] = await stream.take(1);
    expect(toggled!.data!.data.taskEvents).toMatchObject({ kind: 'UPDATED', taskId: id, task: { completed: true } });

    await api.graphql(DELETE, { id }, { token: user.jwt });
    const [deleted] = await stream.take(1);
    expect(deleted!.data!.data.taskEvents).toMatchObject({ kind: 'DELETED', taskId: id, task: null });

    await quietPeriod();
    expect(stream.messages).toHaveLength(4);
  });

  it('gives each stream of one user the result of its own document and variables, and other users nothing', async () => {
    const [user, other] = await Promise.all([api.createUser(), api.createUser()]);
    const SHAPED = 'subscription ($withTask: Boolean!) { taskEvents { taskId task @include(if: $withTask) { title } } }';
    const [full, fullAgain, idsOnly, withoutTask, withTask, othersStream] = await Promise.all([
      open(user),
      open(user),
      open(user, { query: 'subscription { taskEvents { kind taskId } }' }),
      open(user, { query: SHAPED, variables: { withTask: false } }),
      open(user, { query: SHAPED, variables: { withTask: true } }),
      open(other),
    ]);
    const id = await createTask(user, 'Seen five ways');
    const eventOn = async (stream: SseStream) => (await stream.take(1))[0]!.data;
    const [first, second] = [await eventOn(full), await eventOn(fullAgain)];
    expect(first).toEqual(second);
    expect(first!.data.taskEvents).toMatchObject({ kind: 'CREATED', taskId: id, task: { id, title: 'Seen five ways', owner: { id: user.id } } });
    expect(await eventOn(idsOnly)).toEqual({ data: { taskEvents: { kind: 'CREATED', taskId: id } } });
    expect(await eventOn(withoutTask)).toEqual({ data: { taskEvents: { taskId: id } } });
    expect(await eventOn(withTask)).toEqual({ data: { taskEvents: { taskId: id, task: { title: 'Seen five ways' } } } });
    await quietPeriod();
    expect(othersStream.messages).toEqual([]);
  });

  it('also serves GET /graphql?query=… with Accept: text/event-stream', async () => {
    const user = await api.createUser();
    const stream = await open(user, { method: 'GET' });
    expect(stream.status).toBe(200);
    const id = await createTask(user, 'Via GET');
    const [event] = await stream.take(1);
    expect(event!.data!.data.taskEvents).toMatchObject({ kind: 'CREATED', taskId: id });
  });

  it('answers another origin with the CORS headers of every other answer, stream or refusal, and a query sent as an event stream with one result', async () => {
    const user = await api.createUser();
    const origin = 'https://scripts.example';
    const post = (body: unknown, token?: string) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { origin, accept: 'text/event-stream', 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const expectCors = (response: Response) => {
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toBe('Origin');
    };

    const stream = await post({ query: TASK_EVENTS }, user.jwt);
    expect(stream.status).toBe(200);
    expectCors(stream);
    await stream.body!.cancel();

    const refused = await post({ query: TASK_EVENTS });
    expect(refused.status).toBe(401);
    expectCors(refused);
    expect((await refused.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const query = await post({ query: '{ me { id } }' }, user.jwt);
    expectCors(query);
    const text = await query.text();
    expect(text).toContain(`event: next\ndata: {"data":{"me":{"id":"${user.id}"}}}`);
    expect(text).toContain('event: complete');
  });

  it('emits nothing for refused changes: invalid input, another user’s task, a missing task', async () => {
    const owner = await api.createUser();
    const intruder = await api.createUser();
    const id = await createTask(owner, 'Mine');
    const stream = await open(owner);

    const refused = await Promise.all([
      api.graphql(CREATE, { input: { title: '' } }, { token: owner.jwt }),
      api.graphql(UPDATE, { id, input: { title: 'x'.repeat(10_000) } }, { token: owner.jwt }),
      api.graphql(UPDATE, { id, input: { title: 'Hijacked' } }, { token: intruder.jwt }),
      api.graphql(TOGGLE, { id }, { token: intruder.jwt }),
      api.graphql(DELETE, { id }, { token: intruder.jwt }),
      api.graphql(DELETE, { id: 'no-such-task' }, { token: owner.jwt }),
      api.graphql(TOGGLE, { id: 'no-such-task' }, { token: owner.jwt }),
    ]);
    for (const response of refused) expect(response.errors?.length).toBeGreaterThan(0);
    await quietPeriod();
    expect(stream.messages).toEqual([]);
  });

  it('keeps two users apart under thousands of interleaved events', async () => {
    const alice = await api.createUser({ name: 'Alice' });
    const bob = await api.createUser({ name: 'Bob' });
    const [aliceStream, bobStream] = await Promise.all([open(alice), open(bob)]);
    const aliceTask = await createTask(alice, 'Alice task');
    const bobTask = await createTask(bob, 'Bob task');
    await aliceStream.take(1);
    await bobStream.take(1);

    const rounds = 1000; // 2 users × 1000 toggles = 2,000 events, interleaved 16 requests at a time
    const jobs = Array.from({ length: rounds * 2 }, (_, i) => (i % 2 === 0 ? [alice, aliceTask] : [bob, bobTask]) as [TestUser, string]);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < jobs.length) {
          const [user, id] = jobs[next++]!;
          const response = await api.graphql(TOGGLE, { id }, { token: user.jwt });
          expect(response.errors).toBeUndefined();
        }
      }),
    );
    const [aliceEvents, bobEvents] = await Promise.all([aliceStream.take(rounds, 30_000), bobStream.take(rounds, 30_000)]);
    await quietPeriod();
    expect(aliceStream.messages).toHaveLength(rounds + 1);
    expect(bobStream.messages).toHaveLength(rounds + 1);
    for (const event of aliceEvents) expect(event.data!.data.taskEvents).toMatchObject({ taskId: aliceTask, task: { owner: { id: alice.id } } });
    for (const event of bobEvents) expect(event.data!.data.taskEvents).toMatchObject({ taskId: bobTask, task: { owner: { id: bob.id } } });
  }, 240_000);

  it('refuses a stream without a token: 401 UNAUTHENTICATED, no stream', async () => {
    const stream = await open(undefined);
    expect(stream.status).toBe(401);
    expect(stream.headers.get('content-type')).toContain('application/json');
    expect(stream.headers.get('www-authenticate')).toBe('Bearer');
    expect(stream.refusal.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const forged = await open('not.a.jwt');
    expect(forged.status).toBe(401);
    expect(forged.refusal.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a subscription that selects a task list, before any stream opens (each event would read the list once per stream)', async () => {
    const user = await api.createUser();
    const direct = await open(user, { query: 'subscription { taskEvents { task { owner { tasks(first: 0) { totalCount } } } } }' });
    const throughFragments = await open(user, {
      query:
        'subscription { taskEvents { ...Event } } fragment Event on TaskEvent { task { ... on Task { ...Owner } } } fragment Owner on Task { owner { tasks { edges { node { id } } } } }',
    });
    for (const refused of [direct, throughFragments]) {
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/json');
      expect(refused.refusal.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    }
    // The task and its owner's own fields stay selectable.
    const allowed = await open(user, { query: 'subscription { taskEvents { kind task { id owner { id name } } } }' });
    expect(allowed.status).toBe(200);
    allowed.close();
  });

  it('allows at most 20 concurrent streams per user, refused with TOO_MANY_SUBSCRIPTIONS; a closed one frees its slot', async () => {
    const user = await api.createUser();
    const mine = await Promise.all(Array.from({ length: 20 }, () => open(user)));
    for (const stream of mine) expect(stream.status).toBe(200);

    const refused = await open(user);
    expect(refused.status).toBe(429);
    expect(refused.refusal.errors[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    // Another user is not affected.
    expect((await open(await api.createUser())).status).toBe(200);

    mine[0]!.close();
    await expect
      .poll(async () => {
        const retry = await open(user);
        retry.close();
        return retry.status;
      })
      .toBe(200);
  });

  it('gives back the place of a client that went away while its stream was being set up', async () => {
    const user = await api.createUser();
    const body = JSON.stringify({ query: TASK_EVENTS });
    // Each client sends a whole subscription and hangs up at once, 0–9 ms later: some before the
    // server has built the stream, some after. More of them than the user's 20 places.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const socket = connect(server.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write(
          `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n` +
            `Authorization: Bearer ${user.jwt}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return new Promise((resolve) => setTimeout(() => resolve(socket.destroy()), i % 10));
      }),
    );
    await expect
      .poll(
        async () => {
          const all = await Promise.all(Array.from({ length: 20 }, () => open(user)));
          for (const stream of all) stream.close();
          return all.map((stream) => stream.status);
        },
        { timeout: 5000 },
      )
      .toEqual(Array(20).fill(200));
  });

  it('refuses a subscription whose Accept rules out an event stream with 406 NOT_ACCEPTABLE, holding no stream place', async () => {
    const user = await api.createUser();
    const body = JSON.stringify({ query: TASK_EVENTS });
    // More than the user's 20 places: before, each of these kept one until the server restarted.
    for (const accept of ['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/event-stream;q=0, application/json']) {
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { accept, 'content-type': 'application/json', authorization: `Bearer ${user.jwt}` },
          body,
        });
        expect(response.status, accept).toBe(406);
        // multipart/mixed has no JSON to carry the coded error in: Yoga's bare 406.
        if (accept !== 'multipart/mixed') expect((await response.json()).errors[0].extensions.code, accept).toBe('NOT_ACCEPTABLE');
        else await response.body?.cancel();
      }
    }
    const stream = await open(user);
    expect(stream.status).toBe(200);
    stream.close();
  });

  it('drops a client that stops reading instead of buffering for it; other streams carry on', async () => {
    const user = await api.createUser();
    const id = (await api.graphql(CREATE, { input: { title: 'Big', description: 'x'.repeat(5000) } }, { token: user.jwt })).data!.createTask.id as string;
    const healthy = await open(user);
    // ~75 KB per event, so the socket buffers fill after a few dozen events.
    const fields = Array.from({ length: 15 }, (_, i) => `a${i}: task { description }`).join(' ');
    const body = JSON.stringify({ query: `subscription { taskEvents { ${fields} } }` });
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n` +
        `Authorization: Bearer ${user.jwt}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause(); // from here on the client reads nothing

    let toggles = 0;
    while (!server.output().includes('live stream dropped') && toggles < 2000) {
      await Promise.all(Array.from({ length: 10 }, () => api.graphql(TOGGLE, { id }, { token: user.jwt })));
      toggles += 10;
    }
    expect(await server.flushedOutput()).toContain('live stream dropped: the client is not keeping up');
    socket.destroy();
    // The stream that keeps up received every event.
    await healthy.take(toggles, 30_000);
    expect(healthy.messages.every((message) => message.data?.data?.taskEvents?.taskId === id)).toBe(true);
  }, 240_000);

  it('sends a keep-alive comment on an idle stream at the configured interval', async () => {
    const stream = await open(await api.createUser());
    await new Promise((resolve) => setTimeout(resolve, 3500));
    // The first comment at once, then one per second.
    expect(stream.keepAlives.length).toBeGreaterThanOrEqual(3);
    expect(stream.messages).toEqual([]);
  });
});

describe('a stream ends with its session', () => {
  it('ends with UNAUTHENTICATED within 5 s of sign-out; a stream of the same user on another session carries on', async () => {
    const user = await api.createUser();
    const otherDevice = await signInSession(api, user.email, user.password);
    const signedOutStream = await open(user);
    const otherStream = await open(otherDevice.jwt);
    expect([signedOutStream.status, otherStream.status]).toEqual([200, 200]);

    const signedOut = await api.post('/api/auth/sign-out', {}, bearer(user.sessionToken));
    const endedAt = Date.now();
    expect(signedOut.status).toBe(200);
    const [ended, complete] = await signedOutStream.take(2, REVOCATION_BOUND_MS + 2000);
    const endedAfterMs = Date.now() - endedAt;
    console.log(`[revocation] stream of a signed-out session ended ${endedAfterMs} ms after sign-out`);
    expect(endedAfterMs).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    expect(ended!.data!.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(ended!.data!.errors![0]!.message).toMatch(/session has ended/);
    expect(complete!.event).toBe('complete');
    await signedOutStream.ended;

    const id = await createTask({ ...user, jwt: otherDevice.jwt }, 'Still live elsewhere');
    const [event] = await otherStream.take(1);
    expect(event!.data!.data.taskEvents).toMatchObject({ kind: 'CREATED', taskId: id });
  });
});

describe('a stream ends with its token', () => {
  let shortLived: RunningServer;
  beforeAll(async () => {
    shortLived = await startServer({ env: { JWT_EXPIRES_IN: '20s' }, readyTimeoutMs: 110_000 });
  });
  afterAll(() => shortLived?.stop());

  it('ends with an UNAUTHENTICATED error event, then complete, when the JWT expires', async () => {
    const client = new ApiClient(shortLived.url);
    const user = await client.createUser();
    const stream = await subscribe(shortLived.url, { token: user.jwt });
    streams.push(stream);
    expect(stream.status).toBe(200);
    const exp = JSON.parse(Buffer.from(user.jwt.split('.')[1]!, 'base64url').toString()).exp as number;

    const response = await client.graphql(CREATE, { input: { title: 'Before expiry' } }, { token: user.jwt });
    expect(response.errors).toBeUndefined();
    const [event] = await stream.take(1);
    expect(event!.data!.data.taskEvents.kind).toBe('CREATED');

    const [expired, complete] = await stream.take(2, 30_000);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 50);
    expect(expired!.event).toBe('next');
    expect(expired!.data!.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(expired!.data!.errors![0]!.message).toMatch(/expired/);
    expect(complete!.event).toBe('complete');
    await stream.ended;
  });

  it('completes open streams on SIGTERM, so shutdown does not wait for them', async () => {
    const client = new ApiClient(shortLived.url);
    const stream = await subscribe(shortLived.url, { token: (await client.createUser()).jwt });
    streams.push(stream);
    expect(stream.status).toBe(200);
    const startedAt = Date.now();
    const exitCode = await shortLived.stop('SIGTERM');
    expect(exitCode).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(8000);
    const [complete] = await stream.take(1);
    expect(complete!.event).toBe('complete');
  });
});

describe('fan-out across WEB_CONCURRENCY workers', () => {
  let clustered: RunningServer;
  beforeAll(async () => {
    clustered = await startServer({ env: { WEB_CONCURRENCY: '2' }, readyTimeoutMs: 110_000 });
  });
  afterAll(() => clustered?.stop());
  // Once in about ten CI runs on Node.js 24 a request here met a closed connection ("other side
  // closed"), never reproduced since; the server's own lines tell whether a worker exited.
  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.log(`server output:\n${clustered.output().slice(-8000)}`);
  });

  it('delivers every change to streams on every worker, whichever worker made it', async () => {
    const client = new ApiClient(clustered.url);
    const user = await client.createUser();
    // Each stream holds its own connection and the cluster hands connections to the workers in
    // turn, so these streams sit on both workers; every mutation lands on one of them.
    const many = await Promise.all(Array.from({ length: 10 }, () => subscribe(clustered.url, { token: user.jwt })));
    streams.push(...many);
    for (const stream of many) expect(stream.status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await client.graphql(CREATE, { input: { title: `from some worker ${i}` } }, { token: user.jwt });
      expect(response.errors).toBeUndefined();
      ids.push(response.data!.createTask.id);
    }
    for (const stream of many) {
      const events = await stream.take(6, 10_000);
      expect(events.map((event) => event.data!.data.taskEvents.taskId).sort()).toEqual([...ids].sort());
    }
    await quietPeriod();
    for (const stream of many) expect(stream.messages).toHaveLength(6);
  });
});
