// The server as plain JavaScript for `npm start`: one esbuild bundle of our modules and the pure-JS
// dependencies, so a start neither compiles TypeScript through tsx's loader nor resolves, stats
// and compiles some 2,000 separate dependency modules (a start's two largest costs in its CPU
// profile). Packages that load native code, WebAssembly or files next to themselves stay in
// node_modules (BUNDLE_EXTERNALS). The server tests and the bench run this bundle too (built once
// per run when stale), so they prove what ships; only `npm run dev` and the CLI scripts (admin,
// backup, restore) run the TypeScript through tsx.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { newestMtime, repoRoot } from './prepareClient.js';

export const SERVER_BUNDLE = join(repoRoot, 'dist/server/main.js');

/**
 * Left to node_modules: native addons (better-sqlite3), Prisma (its WebAssembly query compiler and
 * the CLI that migrate.ts spawns), pg (the one copy @prisma/adapter-pg and the LISTEN relay share),
 * and the build tools.
 */
export const BUNDLE_EXTERNALS = ['better-sqlite3', '@prisma/*', 'prisma', 'pg', 'pg-native', 'esbuild', 'tsx'];

export function isServerBuildFresh(): boolean {
  if (!existsSync(SERVER_BUNDLE)) return false;
  // The bundle holds the dependencies too (package-lock.json) and is shaped by this file's options.
  const inputs = Math.max(
    newestMtime(join(repoRoot, 'server')),
    ...['package-lock.json', 'client/tooling/buildServer.ts'].map((path) => statSync(join(repoRoot, path)).mtimeMs),
  );
  return statSync(SERVER_BUNDLE).mtimeMs >= inputs;
}

export async function buildServer(): Promise<void> {
  // Loaded here, not at the top: the test helpers import this module for SERVER_BUNDLE alone.
  const { build } = await import('esbuild');
  await build({
    // The password worker is its own entry, next to main.js (server/auth/passwordChecker.ts loads './passwordWorker.js').
    entryPoints: [join(repoRoot, 'server/main.ts'), join(repoRoot, 'server/auth/passwordWorker.ts')],
    entryNames: '[name]',
    outdir: join(repoRoot, 'dist/server'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: BUNDLE_EXTERNALS,
    // CommonJS dependencies inside an ES module bundle still call require() and read __dirname.
    banner: {
      js: [
        "import { createRequire as __taskfortCreateRequire } from 'node:module';",
        "import { dirname as __taskfortDirname } from 'node:path';",
        "import { fileURLToPath as __taskfortFileURLToPath } from 'node:url';",
        'const require = __taskfortCreateRequire(import.meta.url);',
        'const __filename = __taskfortFileURLToPath(import.meta.url);',
        'const __dirname = __taskfortDirname(__filename);',
      ].join(' '),
    },
    // Stack traces map back to the sources; the sources themselves stay out of the map (a smaller file to parse at start).
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
}

export async function ensureServerBuild(): Promise<void> {
  if (!isServerBuildFresh()) await buildServer();
}

// Vitest runs every project's globalSetup in one process: one build however many projects need it.
const shared = globalThis as typeof globalThis & { __taskfortServerBuild?: Promise<void> };
export const serverBuildOnce = () => (shared.__taskfortServerBuild ??= ensureServerBuild());

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
