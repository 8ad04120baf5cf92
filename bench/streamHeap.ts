// npx tsx bench/streamHeap.ts [streams]: the heap one idle live stream holds, for Taskfort's
// production server and for bare graphql-yoga (bench/ceilings.ts, row SY's server), side by side.
// Rows S1 and SY give the totals (heap after a full GC); here each server writes a heap snapshot
// (a full GC first) before and after opening the streams, and the difference is split by what
// holds it: the new objects no older object dominates, grouped by kind. Snapshots land in
// bench-results/heap/ (gitignored), for Chrome DevTools → Memory → Load. See bench/README.md.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureServerBuild } from '../client/tooling/buildServer.js';
import { ApiClient } from '../test/support/client.js';
import { repoRoot, startServer } from '../test/support/server.js';
import { startCeiling, startStreamClient, type StreamClient } from './processes.js';

const streams = Number(process.argv[2] ?? 1000);
const STREAMS_PER_USER = 10;
const WARM_UP_STREAMS = 10;
const heapDir = join(repoRoot, 'bench-results/heap');
const startedAt = Date.now();
const progress = (message: string) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const QUERY = 'subscription { taskEvents { kind taskId at task { id title completed } } }';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Signals the process to write a heap snapshot into dir and resolves with its path once it is complete. */
async function takeSnapshot(child: ChildProcess, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  child.kill('SIGUSR2');
  let path: string | undefined;
  let lastSize = -1;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    path ??= readdirSync(dir)
      .filter((name) => !before.has(name))
      .map((name) => join(dir, name))[0];
    if (!path) continue;
    const size = statSync(path).size;
    if (size > 0 && size === lastSize) return path;
    lastSize = size;
  }
}

/** Bytes added between two snapshots, split by the kind of each new object no older object dominates. */
function heapAdded(beforePath: string, afterPath: string): { total: number; groups: [label: string, count: number, bytes: number][] } {
  const older = new Set<number>();
  {
    const before = JSON.parse(readFileSync(beforePath, 'utf8')) as Snapshot;
    const fields = before.snapshot.meta.node_fields;
    const idAt = fields.indexOf('id');
    for (let i = 0; i < before.nodes.length; i += fields.length) older.add(before.nodes[i + idAt]!);
  }
  const { snapshot, nodes, edges, strings } = JSON.parse(readFileSync(afterPath, 'utf8')) as Snapshot;
  const { node_fields, node_types, edge_fields, edge_types } = snapshot.meta;
  const F = node_fields.length;
  const EF = edge_fields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt, idAt] = ['type', 'name', 'self_size', 'edge_count', 'id'].map((field) => node_fields.indexOf(field));
  const [edgeTypeAt, edgeToAt] = ['type', 'to_node'].map((field) => edge_fields.indexOf(field));
  const count = nodes.length / F;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i]! + nodes[i * F + edgeCountAt!]! * EF;
  const ignoredEdgeTypes = new Set(['weak', 'shortcut'].map((type) => edge_types[0].indexOf(type)));
  const followed = (edge: number) => !ignoredEdgeTypes.has(edges[edge + edgeTypeAt!]!);
  const target = (edge: number) => edges[edge + edgeToAt!]! / F;

  // Postorder of everything reachable from the root (node 0), iteratively.
  const postorderIndex = new Int32Array(count).fill(-1);
  const postorder: number[] = [];
  const visited = new Uint8Array(count);
  const stack = [0];
  const cursor = [firstEdge[0]!];
  visited[0] = 1;
  while (stack.length) {
    const node = stack.at(-1)!;
    let edge = cursor.at(-1)!;
    for (; edge < firstEdge[node + 1]!; edge += EF) if (followed(edge) && !visited[target(edge)]) break;
    if (edge < firstEdge[node + 1]!) {
      cursor[cursor.length - 1] = edge + EF;
      visited[target(edge)] = 1;
      stack.push(target(edge));
      cursor.push(firstEdge[target(edge)]!);
    } else {
      stack.pop();
      cursor.pop();
      postorderIndex[node] = postorder.length;
      postorder.push(node);
    }
  }
  // Predecessor lists, packed: those of node n are predecessors[firstPredecessor[n] … firstPredecessor[n + 1]).
  const firstPredecessor = new Uint32Array(count + 1);
  for (const node of postorder)
    for (let edge = firstEdge[node]!; edge < firstEdge[node + 1]!; edge += EF) if (followed(edge)) firstPredecessor[target(edge) + 1]!++;
  for (let i = 0; i < count; i++) firstPredecessor[i + 1]! += firstPredecessor[i]!;
  const predecessors = new Uint32Array(firstPredecessor[count]!);
  const filled = firstPredecessor.slice(0, count);
  for (const node of postorder)
    for (let edge = firstEdge[node]!; edge < firstEdge[node + 1]!; edge += EF) if (followed(edge)) predecessors[filled[target(edge)]!++] = node;

  // Immediate dominators: Cooper, Harvey and Kennedy's iterative algorithm.
  const dominator = new Int32Array(count).fill(-1);
  dominator[0] = 0;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = postorder.length - 2; i >= 0; i--) {
      const node = postorder[i]!;
      let candidate = -1;
      for (let p = firstPredecessor[node]!; p < firstPredecessor[node + 1]!; p++) {
        const predecessor = predecessors[p]!;
        if (dominator[predecessor] === -1) continue;
        if (candidate === -1) {
          candidate = predecessor;
          continue;
        }
        let a = predecessor;
        let b = candidate;
        while (a !== b) {
          while (postorderIndex[a]! < postorderIndex[b]!) a = dominator[a]!;
          while (postorderIndex[b]! < postorderIndex[a]!) b = dominator[b]!;
        }
        candidate = a;
      }
      if (candidate !== -1 && dominator[node] !== candidate) {
        dominator[node] = candidate;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(count);
  for (const node of postorder) {
    retained[node]! += nodes[node * F + sizeAt!]!;
    if (node !== 0) retained[dominator[node]!]! += retained[node]!;
  }
  const isNew = (node: number) => !older.has(nodes[node * F + idAt!]!);
  const label = (node: number) => {
    const type = node_types[0][nodes[node * F + typeAt!]!]!;
    return type === 'object' || type === 'closure' ? `${type} ${strings[nodes[node * F + nameAt!]!] || '(anonymous)'}` : type;
  };
  const groups = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (const node of postorder) {
    if (!isNew(node) || isNew(dominator[node]!)) continue;
    const group = groups.get(label(node)) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += retained[node]!;
    groups.set(label(node), group);
    total += retained[node]!;
  }
  return { total, groups: [...groups].map(([name, group]) => [name, group.count, group.bytes] as [string, number, number]).sort((a, b) => b[2] - a[2]) };
}

interface StreamServer {
  url: string;
  process: ChildProcess;
  /** One bearer token per stream to open, the warm-up streams' first. */
  tokens: string[];
}

/** Opens one stream per token through the stream client; every one must be accepted. */
async function openStreams(client: StreamClient, url: string, tokens: string[]): Promise<void> {
  const opened = await client.request({ type: 'open', url, query: QUERY, tokens }, 'opened');
  if (opened.refused.length) throw new Error(`streams refused: ${opened.refused.slice(0, 3).join(' | ')}`);
}

async function measure(name: string, start: (nodeOptions: string) => Promise<StreamServer>): Promise<number> {
  const dir = join(heapDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await start(`--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`);
  const exited = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  const client = startStreamClient();
  try {
    progress(`${name}: opening ${server.tokens.length} streams, snapshots before and after the last ${server.tokens.length - WARM_UP_STREAMS}`);
    // What is compiled or cached once is in "before".
    await openStreams(client, server.url, server.tokens.slice(0, WARM_UP_STREAMS));
    const before = await takeSnapshot(server.process, dir);
    await openStreams(client, server.url, server.tokens.slice(WARM_UP_STREAMS));
    const after = await takeSnapshot(server.process, dir);
    progress(`${name}: snapshots written; finding what holds the new objects`);
    const opened = server.tokens.length - WARM_UP_STREAMS;
    const { total, groups } = heapAdded(before, after);
    console.log(`\n${name}: ${(total / opened / 1024).toFixed(1)} KB of heap per idle stream (${opened} streams)`);
    for (const [label, count, bytes] of groups.slice(0, 12)) {
      console.log(`  ${(bytes / opened / 1024).toFixed(2).padStart(6)} KB  ${(count / opened).toFixed(1).padStart(5)} × ${label}`);
    }
    return total / opened;
  } finally {
    await client.close();
    server.process.kill('SIGKILL');
    await exited;
  }
}

await ensureServerBuild();
const taskfort = await measure('taskfort', async (nodeOptions) => {
  const server = await startServer({ env: { NODE_ENV: 'production', AUTH_RATE_LIMIT: 'off', NODE_OPTIONS: nodeOptions } });
  const api = new ApiClient(server.url);
  const tokens: string[] = [];
  progress(`taskfort: signing up ${Math.ceil((streams + WARM_UP_STREAMS) / STREAMS_PER_USER)} users`);
  while (tokens.length < streams + WARM_UP_STREAMS) tokens.push(...Array<string>(STREAMS_PER_USER).fill((await api.createUser()).jwt));
  return { url: server.url, process: server.process, tokens };
});
const yoga = await measure('bare-yoga', async (nodeOptions) => {
  const ceiling = await startCeiling({ kind: 'yoga' }, { NODE_OPTIONS: nodeOptions });
  // Bare Yoga reads no token; the same header size as Taskfort's.
  return { url: ceiling.url, process: ceiling.process, tokens: Array<string>(streams + WARM_UP_STREAMS).fill('x'.repeat(400)) };
});
console.log(`\nTaskfort holds ${(taskfort / yoga).toFixed(2)}× bare graphql-yoga's heap per idle stream (${((taskfort - yoga) / 1024).toFixed(1)} KB more).`);
