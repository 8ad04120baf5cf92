// `npm start`'s prestart: builds the web app, GraphiQL's assets and the server bundle only when they are missing or
// older than their sources, so a second start begins at once, and a production install
// (`npm ci --omit=dev`) starts from the build a release step made with `npm run build`.
import { ensureServerBuild } from './buildServer.js';
import { ensureClientBuild, ensureGraphiQLAssets } from './prepareClient.js';

const startedAt = performance.now();
try {
  await Promise.all([ensureClientBuild(), ensureGraphiQLAssets(), ensureServerBuild()]);
  const seconds = (performance.now() - startedAt) / 1000;
  if (seconds > 1) console.log(`[taskfort] built what was stale in ${seconds.toFixed(1)} s`);
} catch (error) {
  console.error(`[taskfort] cannot build the web app: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
