import DataLoader from 'dataloader';
import type { Database } from '../db/client.js';
import type { SessionRow } from './viewerLiveness.js';

/** Ids per statement: far below SQLite's and PostgreSQL's bound-parameter limits. */
const MAX_SESSIONS_PER_READ = 500;

/**
 * The session read behind viewer liveness, batched: the lookups made in one tick become one
 * `WHERE "id" IN (…)` statement. The live-stream sweep asks about every watched session at once,
 * so its cache misses (each session's answer expires every few seconds) were one statement each:
 * 100 sessions cost 25 reads a second. Caching stays with the liveness cache (`cache: false`).
 */
export function batchedSessionLookup(db: Database): (sessionId: string) => Promise<SessionRow | null> {
  const loader = new DataLoader<string, SessionRow | null>(
    async (ids) => {
      const rows = await db.session.findMany({ where: { id: { in: [...ids] } }, select: { id: true, userId: true, expiresAt: true } });
      const byId = new Map(rows.map(({ id, userId, expiresAt }) => [id, { userId, expiresAt }]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cache: false, maxBatchSize: MAX_SESSIONS_PER_READ },
  );
  return (sessionId) => loader.load(sessionId);
}
