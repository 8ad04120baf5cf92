// Generated files the tests need, made on demand so `npm test` works on a clean clone
// (client/src/gql and dist/ are gitignored): codegen output for every client test, and a
// production build of the web app for the browser tests. Each step runs only when its output
// is missing or older than its inputs, and at most once per test run.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function newestMtime(path: string, skip: (path: string) => boolean = () => false): number {
  if (!existsSync(path) || skip(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry), skip));
  return newest;
}

const mtime = (path: string) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const isGenerated = (path: string) => path.endsWith(`${join('src', 'gql')}`);
const isTestFile = (path: string) => path.endsWith('.test.ts');

async function npmRun(script: string) {
  try {
    await run(npm, ['run', '--silent', script], { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run ${script} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** `npm run codegen` when client/src/gql is missing or older than the schema or a document. */
export async function ensureCodegen(): Promise<void> {
  const output = join(repoRoot, 'client/src/gql/graphql.ts');
  const inputs = Math.max(
    mtime(join(repoRoot, 'specs/schema.graphql')),
    mtime(join(repoRoot, 'codegen.ts')),
    newestMtime(join(repoRoot, 'client/src'), (path) => isGenerated(path) || isTestFile(path)),
  );
  if (mtime(output) >= inputs) return;
  await npmRun('codegen');
}

/** Codegen, then `vite build` into dist/client when the build is missing or older than the app. */
export function isClientBuildFresh(): boolean {
  const output = join(repoRoot, 'dist/client/index.html');
  const inputs = Math.max(
    newestMtime(join(repoRoot, 'client'), (path) => isGenerated(path) || isTestFile(path) || path.endsWith('tooling')),
    mtime(join(repoRoot, 'vite.config.ts')),
    mtime(join(repoRoot, 'specs/schema.graphql')),
    mtime(join(repoRoot, 'codegen.ts')),
    mtime(join(repoRoot, 'server/rules.ts')),
    mtime(join(repoRoot, 'server/auth/passwordEstimator.ts')),
  );
  // A build from before precompression (no .gz next to index.html) is rebuilt too.
  return mtime(output) >= inputs && existsSync(`${output}.gz`);
}

export async function ensureClientBuild(): Promise<void> {
  if (isClientBuildFresh()) return;
  if (!existsSync(join(repoRoot, 'node_modules/vite/bin/vite.js'))) {
    throw new Error(
      'The web app build (dist/client) is missing or older than its sources, and Vite is not installed (npm ci --omit=dev?): run `npm run build` in the release step, with devDependencies.',
    );
  }
  await ensureCodegen();
  try {
    await run(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build'], {
      cwd: repoRoot,
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`vite build failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** GraphiQL's hashed, precompressed assets in dist/graphiql, when missing or built for another version. */
export async function ensureGraphiQLAssets(): Promise<void> {
  const { buildGraphiQLAssets } = await import('./buildGraphiQL.js');
  await buildGraphiQLAssets();
}

// Vitest runs each project's globalSetup in the same process: share one run of each step.
const shared = globalThis as typeof globalThis & { __taskfortCodegen?: Promise<void>; __taskfortBuild?: Promise<void> };
export const codegenOnce = () => (shared.__taskfortCodegen ??= ensureCodegen());
export const clientBuildOnce = () => (shared.__taskfortBuild ??= Promise.all([codegenOnce().then(ensureClientBuild), ensureGraphiQLAssets()]).then(() => {}));
