// Rows 7e and 7f (issue 12): what the per-request session check costs, in process, without HTTP
// around it. Every authenticated request asks the server's viewer-liveness cache whether the
// JWT's session still exists (server/tokens/viewerLiveness.ts); the cache reads the session row
// at most once per session per 4 s per process. 7e: an answer already cached (the common case).
// 7f: a miss, i.e. one real session read through the server's own Prisma client and driver
// adapter against a real, migrated SQLite file (WAL, synchronous=FULL, as the server opens it),
// with the same query server/graphql/yoga.ts gives the cache.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createDatabase } from '../server/db/client.js';
import { migrateDatabase } from '../server/db/migrate.js';
import { createViewerLiveness } from '../server/tokens/viewerLiveness.js';
import type { Viewer } from '../server/tokens/verifier.js';
import { tempDataDir } from '../test/support/server.js';
import { timeSerial, type MicroResult } from './jwt.js';

export async function benchViewerLiveness({ iterations = 3000 } = {}): Promise<MicroResult[]> {
  const dataDir = tempDataDir('taskfort-liveness-');
  const databaseUrl = `file:${join(dataDir, 'liveness.db')}`;
  await migrateDatabase(databaseUrl);
  const db = await createDatabase({ databaseUrl, databaseProvider: 'sqlite' });
  try {
    // One user per 100 sessions; every iteration of the miss row asks for a session no earlier
    // iteration asked for (500 warm-up iterations first, as timeSerial runs them).
    const sessions = iterations + 500;
    const users = Math.ceil(sessions / 100);
    const now = new Date();
    await db.user.createMany({
      data: Array.from({ length: users }, (_, i) => ({ id: `liveness-user-${i}`, name: `User ${i}`, email: `liveness-${i}@bench.invalid` })),
    });
    await db.session.createMany({
      data: Array.from({ length: sessions }, (_, i) => ({
        id: `liveness-session-${i}`,
        token: `liveness-token-${i}`,
        userId: `liveness-user-${Math.floor(i / 100)}`,
        expiresAt: new Date(now.getTime() + 86_400_000),
      })),
    });
    const viewerFor = (i: number): Viewer => ({
      id: `liveness-user-${Math.floor(i / 100)}`,
      email: `liveness-${Math.floor(i / 100)}@bench.invalid`,
      name: 'User',
      tokenExpiresAtMs: now.getTime() + 900_000,
      sessionId: `liveness-session-${i}`,
    });
    const liveness = createViewerLiveness({
      findSession: (sessionId) => db.session.findUnique({ where: { id: sessionId }, select: { userId: true, expiresAt: true } }),
    });
    const check = async (viewer: Viewer) => {
      if (!(await liveness.isAlive(viewer))) throw new Error(`session ${viewer.sessionId} reported as ended`);
    };
    const viewers = Array.from({ length: sessions }, (_, i) => viewerFor(i));
    const oneViewer = viewers[0]!;
    return [
      // 20× the iterations over 4 s of TTL at most: the answer stays cached throughout.
      await timeSerial('viewer liveness, cached answer', iterations * 20, () => check(oneViewer)),
      await timeSerial('viewer liveness, miss: one session read (SQLite file)', iterations, (i) => check(viewers[i]!)),
    ];
  } finally {
    await db.$disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const result of await benchViewerLiveness()) {
    console.log(`${result.name.padEnd(56)} ${result.meanUs.toFixed(2).padStart(9)} µs/op  p50 ${result.p50Us.toFixed(2)}  p99 ${result.p99Us.toFixed(2)}`);
  }
}
