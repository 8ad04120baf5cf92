import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { precompressPlugin } from './client/tooling/precompress.js';

// The web app lives in client/ and builds into dist/client, which `npm start` serves at /.
// In `npm run dev` (server/scripts/dev.ts), Vite serves the app with HMR and proxies the API to the Node server.
const apiTarget = process.env.TASKFORT_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3001}`;

export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  // .br and .gz next to every compressible file of the build, served by sirv (server/http/static.ts).
  plugins: [vue(), precompressPlugin()],
  build: {
    outDir: fileURLToPath(new URL('./dist/client', import.meta.url)),
    emptyOutDir: true,
    // The password-strength dictionaries (the same as the server's policy) are one large chunk,
    // fetched only by the sign-up page after it has rendered.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      '/graphql': { target: apiTarget, changeOrigin: false },
      '/api/auth': { target: apiTarget, changeOrigin: false },
    },
  },
});
