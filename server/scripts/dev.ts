// `npm run dev`: the API with `node --watch` (restarts on server changes) and Vite's dev server
// with hot module replacement for the web app, which proxies /graphql and /api/auth to the API
// (see vite.config.ts). Open http://localhost:3000.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createServer } from 'vite';
import { repoRoot } from '../config.js';

const webPort = Number(process.env.PORT ?? 3000);
const apiPort = Number(process.env.API_PORT ?? 3001);
const publicUrl = `http://localhost:${webPort}`;

// The browser talks to Vite's origin; Better Auth must treat that origin as its own (cookies,
// Origin checks, JWT issuer), so the API runs with BETTER_AUTH_URL set to it.
const api: ChildProcess = spawn(process.execPath, ['--watch', '--import', 'tsx', 'server/main.ts'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? publicUrl,
  },
});

process.env.API_PORT = String(apiPort); // read by vite.config.ts for its proxy target
const vite = await createServer({
  configFile: resolve(repoRoot, 'vite.config.ts'),
  server: { port: webPort, strictPort: true, host: 'localhost' },
});
await vite.listen();
vite.printUrls();
console.log(`[taskfort] web app with hot reload at ${publicUrl}, API on :${apiPort} (restarts on change)`);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  api.kill('SIGTERM');
  await vite.close();
  process.exit(code);
}
api.on('exit', (code) => {
  if (!stopping) {
    console.error(`[taskfort] the API process exited (${code}); stopping the dev server`);
    void stop(code ?? 1);
  }
});
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
