// The session read behind viewer liveness (server/tokens/sessionLookup.ts) against the test
// server's real database: lookups made in one tick are one statement, and each id gets its own
// session or null. The server-postgres project runs it on PostgreSQL too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseProviderOf } from '../../server/config.js';
import { createDatabase, type Database } from '../../server/db/client.js';
import { batchedSessionLookup } from '../../server/tokens/sessionLookup.js';
import { ApiClient, type TestUser } from '../support/client.js';
import { startServer, testDatabaseUrl, type RunningServer } from '../support/server.js';

describe('batched session lookup', () => {
  let server: RunningServer;
  let db: Database;
  let users: TestUser[];

  beforeAll(async () => {
    server = await startServer();
    const api = new ApiClient(server.url);
    users = [await api.createUser(), await api.createUser(), await api.createUser()];
    const databaseUrl = testDatabaseUrl(server.dataDir);
    db = await createDatabase({ databaseUrl, databaseProvider: databaseProviderOf(databaseUrl) });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await server?.stop();
  });

  it('reads every session asked for in one tick with one statement, and answers each id with its own row or null', async () => {
    const sessions = await db.session.findMany({ where: { userId: { in: users.map((user) => user.id) } }, select: { id: true, userId: true } });
    expect(sessions).toHaveLength(3);
    const statements: string[][] = [];
    const counting = {
      session: {
        findMany: (args: { where: { id: { in: string[] } } }) => {
          statements.push(args.where.id.in);
          return db.session.findMany(args as Parameters<Database['session']['findMany']>[0]);
        },
      },
    } as unknown as Database;
    const lookup = batchedSessionLookup(counting);

    const ids = [...sessions.map((session) => session.id), 'no-such-session', sessions[0]!.id];
    const answers = await Promise.all(ids.map((id) => lookup(id)));
    expect(statements).toHaveLength(1);
    expect(answers.slice(0, 3).map((answer) => answer?.userId)).toEqual(sessions.map((session) => session.userId));
    expect(answers[0]!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(answers[3]).toBeNull();
    expect(answers[4]).toEqual(answers[0]);

    // A later tick is a statement of its own: nothing is cached here (the liveness cache does that).
    await db.session.deleteMany({ where: { id: sessions[1]!.id } });
    expect(await lookup(sessions[1]!.id)).toBeNull();
    expect(statements).toHaveLength(2);
  });
});
