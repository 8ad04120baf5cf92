// `npm start`'s build step (run by start.mjs when its stamp is missing or older than a source, and
// as the last step of `npm run build`): builds the web app, GraphiQL's assets and the server bundle
// only when they are missing or older than their sources, then stamps the build so the next start
// skips this script; a production install (`npm ci --omit=dev`) starts from the build and stamp a
// release step made with `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureServerBuild, SERVER_BUNDLE } from './buildServer.js';
import { ensureClientBuild, ensureGraphiQLAssets, repoRoot } from './prepareClient.js';

/**
 * Everything a build output depends on, as paths under the repository (directories whole): a
 * superset of the precise rules in buildServer.ts and prepareClient.ts, so a change to any of them
 * brings start.mjs back here.
 */
const BUILD_INPUTS = [
  'server',
  'client',
  'specs/schema.graphql',
  'codegen.ts',
  'vite.config.ts',
  'package.json',
  'package-lock.json',
  'node_modules/@graphql-yoga/render-graphiql/package.json',
];
const BUILD_OUTPUTS = [
  SERVER_BUNDLE,
  join(repoRoot, 'dist/server/passwordWorker.js'),
  join(repoRoot, 'dist/client/index.html'),
  join(repoRoot, 'dist/graphiql'),
].map((path) => path.slice(repoRoot.length + 1));
const BUILD_STAMP = join(repoRoot, 'dist/build-stamp.json');

const startedAt = performance.now();
try {
  await Promise.all([ensureClientBuild(), ensureGraphiQLAssets(), ensureServerBuild()]);
  mkdirSync(dirname(BUILD_STAMP), { recursive: true });
  writeFileSync(BUILD_STAMP, `${JSON.stringify({ builtAtMs: Date.now(), inputs: BUILD_INPUTS, outputs: BUILD_OUTPUTS }, null, 2)}\n`);
  const seconds = (performance.now() - startedAt) / 1000;
  if (seconds > 1) console.log(`[taskfort] built what was stale in ${seconds.toFixed(1)} s`);
} catch (error) {
  console.error(`[taskfort] cannot build the web app: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
