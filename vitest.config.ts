import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import { unavailableProjects } from './test/support/availability.js';

// Node loads graphql's CommonJS build for the server's dependencies (Pothos, Yoga); vite would
// pick its ESM build for our own files, and graphql refuses two copies in one process.
const graphqlNodeEntry = createRequire(import.meta.url).resolve('graphql');
const serverAlias = { alias: [{ find: /^graphql$/, replacement: graphqlNodeEntry }] };

// The API suite runs a second time on PostgreSQL when a server is given (TEST_POSTGRES_URL,
// as .ci/run does) or PostgreSQL's binaries are here to start a throwaway one; the browser tests
// need Chromium. Without them those projects are left out, and the run ends saying so.
const unavailable = new Set<string>();
for (const { project, missing, enable } of unavailableProjects()) {
  unavailable.add(project);
  console.warn(`[taskfort] the ${project} test project is skipped: no ${missing}. To run it: ${enable}`);
}
const postgresAvailable = !unavailable.has('server-postgres');
const chromiumAvailable = !unavailable.has('e2e');

// Tests of behaviour under load that the test itself generates: they run after every other
// project has finished (groupOrder), one file at a time, so other suites' load does not starve
// the server they measure (e.g. SIGTERM under a burst of requests).
const quietTests = ['test/security/shutdown.test.ts'];

// Every API test server starts on a copy of one database migrated per run (not per server).
const templateDatabase = 'test/support/template.globalSetup.ts';

// One project per kind of test, so each runs in the environment it needs:
// server-side suites drive a real server over HTTP; component tests run in happy-dom.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summaryReporter.ts'],
    // Vitest's default is one file at a time per core but one (a single file on 2 cores), while a
    // server test file spends most of its time waiting for its server process, the browser or a
    // deliberate expiry: three at a time on 2 cores took the suite from 911 s to 717 s here.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    projects: [
      {
        // Pure modules, no server: runs in seconds.
        resolve: serverAlias,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        resolve: serverAlias,
        test: {
          name: 'server',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/postgres/**', 'test/unit/**', ...quietTests],
          globalSetup: [templateDatabase],
          // Some tests start servers of their own; on a busy 2-core machine one start can take a minute.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        resolve: serverAlias,
        test: {
          name: 'server-quiet',
          environment: 'node',
          include: quietTests,
          globalSetup: [templateDatabase],
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      ...(postgresAvailable
        ? [
            {
              resolve: serverAlias,
              test: {
                name: 'server-postgres',
                environment: 'node',
                include: ['test/api/**/*.test.ts', 'test/postgres/**/*.test.ts'],
                exclude: ['test/api/schema.test.ts', 'test/api/graphiql.test.ts'],
                env: { TEST_DATABASE: 'postgresql' },
                globalSetup: ['test/support/postgres.globalSetup.ts'],
                testTimeout: 120_000,
                hookTimeout: 180_000,
              },
            },
          ]
        : []),
      {
        plugins: [vue()],
        test: {
          name: 'client',
          environment: 'happy-dom',
          include: ['client/src/**/*.test.ts'],
          globalSetup: ['client/tooling/vitest.globalSetup.ts'],
          testTimeout: 20_000,
        },
      },
      ...(chromiumAvailable
        ? [
            {
              test: {
                name: 'e2e',
                environment: 'node',
                include: ['test/e2e/**/*.test.ts'],
                // Codegen + vite build when dist/client is missing or stale (a clean clone has neither).
                globalSetup: ['test/e2e/globalSetup.ts', templateDatabase],
                testTimeout: 120_000,
                hookTimeout: 180_000,
                // One browser and one server at a time on a 2-core machine.
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
