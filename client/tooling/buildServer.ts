// The server as plain JavaScript for `npm start`: one esbuild bundle of our own modules
// (dependencies stay in node_modules), so a start loads built files instead of compiling every
// TypeScript module through tsx's loader (about half of a start's CPU time). Tests, scripts and
// `npm run dev` keep running the TypeScript directly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './prepareClient.js';

export const SERVER_BUNDLE = join(repoRoot, 'dist/server/main.js');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function isServerBuildFresh(): boolean {
  if (!existsSync(SERVER_BUNDLE)) return false;
  const inputs = Math.max(newestMtime(join(repoRoot, 'server')), statSync(join(repoRoot, 'package-lock.json')).mtimeMs);
  return statSync(SERVER_BUNDLE).mtimeMs >= inputs;
}

export async function buildServer(): Promise<void> {
  await build({
    // The password worker is its own entry, next to main.js (server/auth/passwordChecker.ts loads './passwordWorker.js').
    entryPoints: [join(repoRoot, 'server/main.ts'), join(repoRoot, 'server/auth/passwordWorker.ts')],
    entryNames: '[name]',
    outdir: join(repoRoot, 'dist/server'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

export async function ensureServerBuild(): Promise<void> {
  if (!isServerBuildFresh()) await buildServer();
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
