import { startThrowawayPostgres } from './postgres.js';

/**
 * The PostgreSQL test project needs a server. CI (.ci/run) starts one and sets
 * TEST_POSTGRES_URL; otherwise start a throwaway one here for the length of the run.
 */
export default async function setup() {
  if (process.env.TEST_POSTGRES_URL) return undefined;
  const postgres = await startThrowawayPostgres();
  process.env.TEST_POSTGRES_URL = postgres.url;
  return () => postgres.stop();
}
