import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The web app lives in client/ and builds into dist/client, which `npm start` serves at /.
// In `npm run dev`, Vite serves the app with HMR and proxies the API to the Node server.
const apiTarget = process.env.TASKFORT_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3001}`;

export default defineConfig({
  root: 'client',
  plugins: [vue()],
  build: { outDir: '../dist/client', emptyOutDir: true },
  server: {
    proxy: {
      '/graphql': { target: apiTarget, changeOrigin: false },
      '/api/auth': { target: apiTarget, changeOrigin: false },
    },
  },
});
