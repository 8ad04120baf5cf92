// `npm start`: runs the server bundle (dist/server/main.js) in this process. Plain JavaScript so a
// start on an unchanged tree loads nothing but Node.js: it compares the modification times of
// what the build depends on with the last build's stamp (dist/build-stamp.json, written by
// buildIfStale.ts, which owns the rules of what is stale). Anything newer, a missing output, or
// no stamp at all, and buildIfStale.ts runs first through tsx to check precisely and rebuild.
import { spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STAMP = join(repoRoot, 'dist/build-stamp.json');

function changedSince(path, sinceMs) {
  if (!existsSync(path)) return false;
  const stats = statSync(path);
  if (stats.mtimeMs > sinceMs) return true;
  return stats.isDirectory() && readdirSync(path).some((entry) => changedSince(join(path, entry), sinceMs));
}

function buildLooksCurrent() {
  if (!existsSync(STAMP)) return false;
  /** @type {{ builtAtMs: number, inputs: string[], outputs: string[] }} */
  const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  return (
    stamp.outputs.every((output) => existsSync(join(repoRoot, output))) && !stamp.inputs.some((input) => changedSince(join(repoRoot, input), stamp.builtAtMs))
  );
}

// Cluster workers run this file too (cluster.fork re-runs the entry script): the primary has built.
if (cluster.isPrimary && !buildLooksCurrent()) {
  const build = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'client/tooling/buildIfStale.ts')], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(repoRoot, 'dist/server/main.js')).href);
