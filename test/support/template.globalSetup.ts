import { serverBuildOnce } from '../../client/tooling/buildServer.js';
import { buildSqliteTemplate } from './templateDatabase.js';

/**
 * Migrates the run's SQLite template database once; every test server starts on a copy. Test
 * servers run the server bundle `npm start` runs: rebuilt here when a source is newer.
 */
export default async function setup() {
  await Promise.all([buildSqliteTemplate(), serverBuildOnce()]);
}
