// npx tsx bench/searchAbuse.ts [tasks] [seconds]: what one account that searches without pause does
// to everyone else, with and without the per-user search budget (SEARCH_TIME_PER_MINUTE,
// server/graphql/searchBudget.ts). Two production servers on SQLite, one after the other, each with
// an account holding `tasks` tasks with 5,000-character descriptions (written straight into the
// file). That account runs 4 loops of a searched list with totalCount; meanwhile another user lists
// their 20 tasks (autocannon, 2 connections). "60s" per minute never refuses: the old behaviour.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensureServerBuild } from '../client/tooling/buildServer.js';
import { ApiClient } from '../test/support/client.js';
import { startServer, tempDataDir } from '../test/support/server.js';
import { measure } from './load.js';
import { cuidLike } from './seed.js';

const taskCount = Number(process.argv[2] ?? 30_000);
const seconds = Number(process.argv[3] ?? 20);
const SEARCH = '{ tasks(filter: { search: "no such words" }) { totalCount edges { node { id } } } }';
const LIST = '{ tasks(first: 20) { edges { node { id title completed } } } }';

function seedLongTasks(path: string, userId: string) {
  const db = new Database(path, { timeout: 10_000 });
  const insert = db.prepare(`INSERT INTO "task" ("id", "title", "description", "createdAt", "updatedAt", "userId") VALUES (?, ?, ?, ?, ?, ?)`);
  const stamp = new Date().toISOString().replace('Z', '+00:00');
  db.transaction(() => {
    for (let i = 0; i < taskCount; i++) insert.run(cuidLike(), `Task ${i}`, randomBytes(2500).toString('hex'), stamp, stamp, userId);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function run(budget: string) {
  const dataDir = tempDataDir('taskfort-search-abuse-');
  const path = join(dataDir, 'abuse.db');
  const server = await startServer({
    dataDir,
    env: { NODE_ENV: 'production', DATABASE_URL: `file:${path}`, BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'), SEARCH_TIME_PER_MINUTE: budget },
  });
  try {
    const api = new ApiClient(server.url);
    const heavy = await api.createUser({ name: 'heavy', email: `heavy-${Date.now()}@bench.invalid` });
    const other = await api.createUser({ name: 'other', email: `other-${Date.now()}@bench.invalid` });
    seedLongTasks(path, heavy.id);
    for (let i = 0; i < 20; i++) await api.graphql(`mutation { createTask(input: { title: "mine ${i}" }) { id } }`, {}, { token: other.jwt });
    let stop = false;
    const searches = { answered: 0, refused: 0 };
    const loop = async () => {
      while (!stop) {
        const response = await api.graphql(SEARCH, {}, { token: heavy.jwt });
        if (response.status === 429) {
          searches.refused++;
          await new Promise((resolve) => setTimeout(resolve, 100));
        } else searches.answered++;
      }
    };
    const loops = Array.from({ length: 4 }, loop);
    const result = await measure({
      url: `${server.url}/graphql`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${other.jwt}` },
      body: JSON.stringify({ query: LIST }),
      connections: 2,
      duration: seconds,
      warmup: 1,
    });
    stop = true;
    await Promise.all(loops);
    return { budget, ...searches, rps: result.rps, p50: result.p50, p99: result.p99, max: result.max };
  } finally {
    await server.stop();
  }
}

await ensureServerBuild();
console.log(`${taskCount} tasks of 5,000 characters for the searching account, ${seconds} s per server`);
const rows = [];
for (const budget of ['60s', '5s']) rows.push(await run(budget));
console.log('| SEARCH_TIME_PER_MINUTE | searches answered | refused (429) | other user: list req/s | p50 | p99 | max |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.budget} | ${row.answered} | ${row.refused} | ${row.rps.toFixed(0)} | ${row.p50.toFixed(1)} ms | ${row.p99.toFixed(1)} ms | ${row.max.toFixed(0)} ms |`,
  );
}
