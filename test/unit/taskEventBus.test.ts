import { describe, expect, it, vi } from 'vitest';
import { createTaskEventBus, MAX_QUEUED_CHANGES_WHILE_WRITABLE, UNREAD_STREAM_RELEASE_MS, type ClientConnection } from '../../server/taskEvents/bus.js';
import type { TaskChange } from '../../server/taskEvents/taskChange.js';

// The in-process bus on its own; test/api/subscriptions.test.ts checks streams through the real server.
const limits = { maxPerProcess: 100, maxPerUser: 20, keepAliveMs: 15_000 };

/** A connection that never closes by itself and never backs up; it counts how often the bus drops it. */
function connection() {
  const state = { dropped: 0 };
  const client: ClientConnection = {
    onClose: () => {},
    isBackedUp: () => false,
    drop: () => state.dropped++,
  };
  return { client, state };
}

describe('task event bus', () => {
  it("routes each change to its own user's streams only", async () => {
    const bus = createTaskEventBus(limits);
    const streams = await Promise.all(
      ['alice', 'alice', 'bob'].map(async (userId) =>
        (await bus.stream({ userId, expiresAtMs: Date.now() + 60_000, connection: connection().client }))[Symbol.asyncIterator](),
      ),
    );
    const firsts = streams.map((stream) => stream.next());
    await new Promise((resolve) => setImmediate(resolve));
    bus.publish({ kind: 'CREATED', userId: 'alice', taskId: 't1' });
    bus.publish({ kind: 'CREATED', userId: 'bob', taskId: 't2' });
    const taskIds = (await Promise.all(firsts)).map((result) => (result.value as TaskChange).taskId);
    expect(taskIds).toEqual(['t1', 't1', 't2']);
    for (const stream of streams) await stream.return?.();
    expect(bus.openStreams()).toBe(0);
  });

  it('drops a stream that falls too far behind while its socket still takes data, without an error, and frees its place', async () => {
    const bus = createTaskEventBus(limits);
    const { client, state } = connection();
    const stream = (await bus.stream({ userId: 'alice', expiresAtMs: Date.now() + 60_000, connection: client }))[Symbol.asyncIterator]();
    const first = stream.next();
    await new Promise((resolve) => setImmediate(resolve));
    // More than a Repeater's 1,024 pending pushes, published before the stream reads any.
    for (let i = 0; i < MAX_QUEUED_CHANGES_WHILE_WRITABLE + 100; i++) bus.publish({ kind: 'UPDATED', userId: 'alice', taskId: `t${i}` });
    expect(state.dropped).toBe(1);
    expect(((await first).value as TaskChange).taskId).toBe('t0');
    let received = 1;
    for (;;) {
      const result = await stream.next();
      if (result.done) break;
      received++;
    }
    expect(received).toBeLessThanOrEqual(MAX_QUEUED_CHANGES_WHILE_WRITABLE + 1);
    expect(bus.openStreams()).toBe(0);
  });

  it("holds a user's full allowance of streams without Node's listener-leak warning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const bus = createTaskEventBus(limits);
      const streams = await Promise.all(
        Array.from({ length: limits.maxPerUser }, async () =>
          (await bus.stream({ userId: 'alice', expiresAtMs: Date.now() + 60_000, connection: connection().client }))[Symbol.asyncIterator](),
        ),
      );
      const firsts = streams.map((stream) => stream.next());
      await new Promise((resolve) => setImmediate(resolve));
      bus.publish({ kind: 'DELETED', userId: 'alice', taskId: 't1' });
      expect((await Promise.all(firsts)).every((result) => (result.value as TaskChange).taskId === 't1')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings).toEqual([]);
      for (const stream of streams) await stream.return?.();
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('gives back the place of a stream nobody starts reading, and ends it if it is read later', async () => {
    vi.useFakeTimers();
    try {
      const bus = createTaskEventBus({ ...limits, maxPerUser: 2 });
      const open = () => bus.stream({ userId: 'alice', expiresAtMs: Date.now() + 600_000, connection: connection().client });
      const unread = await open();
      await open();
      await expect(open()).rejects.toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } });
      vi.advanceTimersByTime(UNREAD_STREAM_RELEASE_MS);
      expect(bus.openStreams()).toBe(0);
      const reading = (await open())[Symbol.asyncIterator]();
      void reading.next();
      expect(bus.openStreams()).toBe(1);
      expect(await unread[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
      expect(bus.openStreams()).toBe(1);
      await reading.return?.();
    } finally {
      vi.useRealTimers();
    }
  });
});
