// npx tsx bench/profile.ts list|me|typename|create|toggle [seconds] [--postgres]: the production server on a
// temp SQLite file, or with --postgres on a throwaway PostgreSQL server (1k tasks of the user's among 2k) under 10 connections of one request, sampled by
// bench/cpuProfile.mjs; the profile lands in bench-results/profiles/ (gitignored) and the
// heaviest frames (self and inclusive) are printed. See bench/README.md → Profiles.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { ensureServerBuild, SERVER_BUNDLE } from '../client/tooling/buildServer.js';
import { ApiClient } from '../test/support/client.js';
import { repoRoot, startServer, tempDataDir } from '../test/support/server.js';
import { measure } from './load.js';
import { postgresSeeder, sqliteSeeder } from './seed.js';
import { postgresUrlFor, startThrowawayPostgres } from '../test/support/postgres.js';

const KIND_NAMES = ['list', 'me', 'typename', 'create', 'toggle'] as const;
const kind = KIND_NAMES.find((name) => name === process.argv[2]) ?? 'list';
const onPostgres = process.argv.includes('--postgres');
const seconds = Number(process.argv.slice(3).find((arg) => !arg.startsWith('--')) ?? 15);
const profileDir = join(repoRoot, 'bench-results/profiles');
mkdirSync(profileDir, { recursive: true });
const dataDir = tempDataDir('taskfort-profile-');
await ensureServerBuild();
const postgres = onPostgres ? await startThrowawayPostgres() : undefined;
const databaseUrl = postgres ? postgresUrlFor(postgres.url, dataDir) : `file:${join(dataDir, 'profile.db')}`;
const server = await startServer({
  dataDir,
  env: {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
    AUTH_RATE_LIMIT: 'off',
    NODE_OPTIONS: `--import ${join(repoRoot, 'bench/cpuProfile.mjs')}`,
    CPU_PROFILE_DIR: profileDir,
    CPU_PROFILE_NAME: kind,
  },
});
const api = new ApiClient(server.url);
const user = await api.createUser({ name: 'profile', email: `profile-${Date.now()}@bench.invalid` });
const seeder = postgres ? postgresSeeder(databaseUrl) : sqliteSeeder(join(dataDir, 'profile.db'));
await seeder.grow({ total: 2_000, measuredUserId: user.id, measuredUserTasks: 1_000 });
const LIST = `query TaskList($first: Int!) { tasks(first: $first) { edges { cursor node { id title description completed priority dueDate createdAt updatedAt } } pageInfo { hasNextPage endCursor } } }`;
const headers: Record<string, string> = { 'content-type': 'application/json' };
if (kind !== 'typename') headers.authorization = `Bearer ${user.jwt}`;
const TASK_FIELDS = 'id title description completed priority dueDate createdAt updatedAt';
const CREATE = `mutation CreateTask($input: CreateTaskInput!) { createTask(input: $input) { ${TASK_FIELDS} } }`;
const TOGGLE = `mutation ToggleTask($id: ID!) { toggleTask(id: $id) { ${TASK_FIELDS} } }`;
// toggle flips one of the user's tasks, made through the API (the seeded ones are too).
const toggledId =
  kind === 'toggle'
    ? ((await api.graphql(CREATE, { input: { title: 'toggled while profiled' } }, { token: user.jwt })).data as { createTask: { id: string } }).createTask.id
    : '';
const QUERIES = {
  list: { query: LIST, variables: { first: 20 } },
  me: { query: '{ me { id } }' },
  typename: { query: '{ __typename }' },
  create: { query: CREATE, variables: { input: { title: 'created while profiled' } } },
  toggle: { query: TOGGLE, variables: { id: toggledId } },
};
const body = JSON.stringify(QUERIES[kind]);
const result = await measure({ url: `${server.url}/graphql`, headers, body, connections: 10, duration: seconds, warmup: 2 });
console.log(`${kind}: ${result.rps.toFixed(0)} req/s while profiled`);
await seeder.close();
await server.stop();
postgres?.stop();

// The server's profile is the one just written that samples the server bundle (child processes
// such as the migration runner write their own, sometimes larger).
const candidates = readdirSync(profileDir)
  .filter((name) => name.startsWith(`${kind}-`) && Date.now() - statSync(join(profileDir, name)).mtimeMs < 60_000)
  .map((name) => ({ name, profile: JSON.parse(readFileSync(join(profileDir, name), 'utf8')) as { nodes: ProfileNode[]; samples: number[] } }));
const newest = candidates.find((file) => file.profile.nodes.some((node) => node.callFrame.url.endsWith('dist/server/main.js')))!;
console.log(`profile: bench-results/profiles/${newest.name}`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
const profile = newest.profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
// The server is one bundle (dist/server/main.js): its source map tells which package a frame is from.
const bundleMap = new SourceMap(JSON.parse(readFileSync(`${SERVER_BUNDLE}.map`, 'utf8')) as SourceMapPayload);
const sourceOf = ({ url, lineNumber, columnNumber }: ProfileNode['callFrame']) => {
  if (!url.endsWith('dist/server/main.js')) return url;
  const entry = bundleMap.findEntry(lineNumber, columnNumber) as { originalSource?: string };
  return entry.originalSource ?? url;
};
const where = (frame: ProfileNode['callFrame']) => {
  const url = sourceOf(frame);
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/server/') ? 'server/' : url.replace(/^.*\//, '') || 'native');
};
const samplesOf = new Map<number, number>();
for (const sample of profile.samples) samplesOf.set(sample, (samplesOf.get(sample) ?? 0) + 1);
const inclusive = new Map<string, number>();
let busy = 0;
for (const [id, count] of samplesOf) {
  if (['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName)) continue;
  busy += count;
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const frame = byId.get(current)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} (${where(frame)})`;
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    seen.add(key);
  }
}
console.log(`heaviest frames, inclusive, % of ${busy} busy samples:`);
for (const [key, count] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * count) / busy).toFixed(1).padStart(6)}%  ${key}`);
const selfByPackage = new Map<string, number>();
for (const [id, count] of samplesOf) {
  const frame = byId.get(id)!.callFrame;
  if (['(idle)', '(program)'].includes(frame.functionName)) continue;
  const key = frame.url ? where(frame) : frame.functionName;
  selfByPackage.set(key, (selfByPackage.get(key) ?? 0) + count);
}
console.log(`self time by package, % of ${busy} busy samples:`);
for (const [key, count] of [...selfByPackage].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${((100 * count) / busy).toFixed(1).padStart(6)}%  ${key}`);
