// npx tsx bench/ab.ts --env=GRAPHQL_JIT --a=off --b=on [--rounds=4 --duration=5 --warmup=2] [--postgres]
//
// One server setting, A against B, in one run: two production servers (one per value) on the same
// SQLite file (or, with --postgres, one database on a throwaway PostgreSQL server), measured in alternating order round after round, so both see the same machine load
// (this 2-core machine's speed drifts by 2× from minute to minute; sequential runs do not compare).
// Prints, per request kind, the median over rounds of req/s and server CPU time per request for
// each side, and B relative to A.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureServerBuild } from '../client/tooling/buildServer.js';
import { ApiClient } from '../test/support/client.js';
import { startServer, tempDataDir, type RunningServer } from '../test/support/server.js';
import { cpuMsOfTree } from '../test/support/procStat.js';
import { runLoad } from './processes.js';
import { postgresUrlFor, startThrowawayPostgres } from '../test/support/postgres.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const setting = option('env', 'GRAPHQL_JIT');
const values = { A: option('a', 'off'), B: option('b', 'on') };
const rounds = Number(option('rounds', '4'));
const duration = Number(option('duration', '5'));
const warmup = Number(option('warmup', '2'));
const onPostgres = args.includes('--postgres');

const TASK_FIELDS = 'id title description completed priority dueDate createdAt updatedAt';
const KINDS = [
  { id: '1', name: '{ __typename }, no token', query: '{ __typename }', variables: {}, auth: false },
  {
    id: '3',
    name: 'tasks(first:20), bearer JWT',
    query: `query TaskList($first: Int!) { tasks(first: $first) { edges { cursor node { ${TASK_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
    variables: { first: 20 },
    auth: true,
  },
  {
    id: '4a',
    name: 'createTask',
    query: `mutation CreateTask($input: CreateTaskInput!) { createTask(input: $input) { ${TASK_FIELDS} } }`,
    variables: { input: { title: 'created by the A/B bench' } },
    auth: true,
  },
  {
    id: '4b',
    name: 'toggleTask',
    query: `mutation ToggleTask($id: ID!) { toggleTask(id: $id) { ${TASK_FIELDS} } }`,
    // The id of one of the user's tasks, set once they exist.
    variables: { id: '' } as Record<string, unknown>,
    auth: true,
  },
];

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

const dataDir = tempDataDir('taskfort-ab-');
const postgres = onPostgres ? await startThrowawayPostgres() : undefined;
const baseEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: postgres ? postgresUrlFor(postgres.url, dataDir) : `file:${join(dataDir, 'bench.db')}`,
  BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
  JWT_ISSUER: 'http://taskfort-bench.invalid',
  AUTH_RATE_LIMIT: 'off',
};
await ensureServerBuild();
const servers: Record<'A' | 'B', RunningServer> = {
  A: await startServer({ dataDir, env: { ...baseEnv, [setting]: values.A } }),
  B: await startServer({ dataDir, env: { ...baseEnv, [setting]: values.B } }),
};
try {
  const api = new ApiClient(servers.A.url);
  const user = await api.createUser({ name: 'reader', email: `reader-${Date.now()}@bench.invalid` });
  for (let i = 0; i < 20; i++) {
    const created = await api.graphql(KINDS[2]!.query, { input: { title: `task ${i}` } }, { token: user.jwt });
    KINDS[3]!.variables = { id: (created.data as { createTask: { id: string } }).createTask.id };
  }

  const samples = new Map<string, { rps: number; cpu: number }[]>();
  for (let round = 0; round < rounds; round++) {
    // A first in even rounds, B first in odd ones: drift within a round falls on both sides.
    const order: ('A' | 'B')[] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    for (const kind of KINDS) {
      for (const side of order) {
        const server = servers[side];
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(kind.auth ? { authorization: `Bearer ${user.jwt}` } : {}) };
        await runLoad({
          url: `${server.url}/graphql`,
          headers,
          body: JSON.stringify({ query: kind.query, variables: kind.variables }),
          connections: 10,
          duration: warmup,
          warmup: 0,
        });
        const cpuBefore = cpuMsOfTree(server.process.pid!);
        const result = await runLoad({
          url: `${server.url}/graphql`,
          headers,
          body: JSON.stringify({ query: kind.query, variables: kind.variables }),
          connections: 10,
          duration,
          warmup: 0,
        });
        const cpu = (cpuMsOfTree(server.process.pid!) - cpuBefore) / Math.max(1, result.requests);
        const key = `${kind.id}|${side}`;
        samples.set(key, [...(samples.get(key) ?? []), { rps: result.rps, cpu }]);
        process.stderr.write(
          `[ab] round ${round + 1} ${kind.id} ${side}: ${result.rps.toFixed(0)} req/s, ${cpu.toFixed(2)} ms CPU/req, load ${loadavg()[0]!.toFixed(2)}\n`,
        );
      }
    }
  }

  console.log(
    `\n${setting}: A=${values.A}, B=${values.B}; ${rounds} interleaved rounds of ${duration} s, 10 connections, ${postgres ? 'PostgreSQL' : 'SQLite'}; medians over rounds\n`,
  );
  console.log('| # | what | A req/s | B req/s | B/A req/s | A CPU/req | B CPU/req | B/A CPU |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const kind of KINDS) {
    const a = samples.get(`${kind.id}|A`)!;
    const b = samples.get(`${kind.id}|B`)!;
    const [aRps, bRps] = [median(a.map((s) => s.rps)), median(b.map((s) => s.rps))];
    const [aCpu, bCpu] = [median(a.map((s) => s.cpu)), median(b.map((s) => s.cpu))];
    console.log(
      `| ${kind.id} | ${kind.name} | ${aRps.toFixed(0)} | ${bRps.toFixed(0)} | ${(bRps / aRps).toFixed(2)}× | ${aCpu.toFixed(2)} ms | ${bCpu.toFixed(2)} ms | ${(bCpu / aCpu).toFixed(2)}× |`,
    );
  }
  console.log(
    `\nload average at the end: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await Promise.all([servers.A.stop(), servers.B.stop()]);
  postgres?.stop();
}
