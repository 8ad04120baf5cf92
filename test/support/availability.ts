import { existsSync } from 'node:fs';
import { join } from 'node:path';

// What the optional test projects need from the machine. vitest.config.ts leaves a project out
// when its needs are missing; the summary reporter then says so, with the one command that fixes it.

/** The system Chromium (Debian package); `npx playwright install` cannot download here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const POSTGRES_BIN_DIR = process.env.POSTGRES_BIN_DIR ?? '/usr/local/bin';

export interface UnavailableProject {
  project: string;
  missing: string;
  /** The one command (or setting) that makes the project run. */
  enable: string;
}

export function unavailableProjects(): UnavailableProject[] {
  const unavailable: UnavailableProject[] = [];
  if (!process.env.TEST_POSTGRES_URL && !(existsSync(join(POSTGRES_BIN_DIR, 'pg_ctl')) && existsSync(join(POSTGRES_BIN_DIR, 'initdb')))) {
    unavailable.push({
      project: 'server-postgres',
      missing: `PostgreSQL (no TEST_POSTGRES_URL, no pg_ctl/initdb in ${POSTGRES_BIN_DIR})`,
      enable: `apt-get install -y postgresql-15 && ln -sf /usr/lib/postgresql/15/bin/* ${POSTGRES_BIN_DIR}/  (or set TEST_POSTGRES_URL=postgresql://user@host:port/postgres)`,
    });
  }
  if (!existsSync(CHROMIUM_PATH)) {
    unavailable.push({ project: 'e2e', missing: `Chromium (nothing at ${CHROMIUM_PATH})`, enable: 'apt-get install -y chromium  (or set CHROMIUM_PATH)' });
  }
  return unavailable;
}
