import { serverBuildOnce } from '../../client/tooling/buildServer.js';
import { startThrowawayPostgres } from './postgres.js';
import { buildPostgresTemplate } from './templateDatabase.js';

/**
 * The PostgreSQL test project needs a server. CI (.ci/run) starts one and sets
 * TEST_POSTGRES_URL; otherwise start a throwaway one here for the length of the run.
 * Then migrate the run's template database, which every test database is created from, and
 * build the server bundle the test servers run when a source is newer.
 */
export default async function setup() {
  const postgres = process.env.TEST_POSTGRES_URL ? undefined : await startThrowawayPostgres();
  if (postgres) process.env.TEST_POSTGRES_URL = postgres.url;
  try {
    const [dropTemplate] = await Promise.all([buildPostgresTemplate(process.env.TEST_POSTGRES_URL!), serverBuildOnce()]);
    return async () => {
      await dropTemplate();
      postgres?.stop();
    };
  } catch (error) {
    postgres?.stop();
    throw error;
  }
}
