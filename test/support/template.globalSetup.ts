import { buildSqliteTemplate } from './templateDatabase.js';

/** Migrates the run's SQLite template database once; every test server starts on a copy. */
export default function setup() {
  return buildSqliteTemplate();
}
