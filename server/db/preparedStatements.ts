import { Prisma } from '../generated/prisma/client.js';

/**
 * Put at the very start of a raw statement that PostgreSQL should parse and plan once per
 * connection (a named prepared statement) instead of on every run. Meant for the hot writes that
 * address rows by primary key (createTask, toggleTask), whose plan cannot depend on the values.
 * Not for lists: a generic plan for a page (LIMIT, a user's share of a million rows) can be worse
 * than planning each run, which is why other statements stay unnamed. A comment: SQLite ignores it.
 */
export const PREPARED_STATEMENT_MARK = '/* taskfort:prepared */ ';
export const PREPARED = Prisma.raw(PREPARED_STATEMENT_MARK);

/** Distinct marked statements given a name, per process (there are two); any further one runs unnamed. */
export const MAX_NAMED_STATEMENTS = 50;

/**
 * Names for `@prisma/adapter-pg`'s `statementNameGenerator`: a marked SQL text gets the same name
 * every time, any other text none (''), i.e. pg's unnamed statement, parsed and planned per run.
 * Off (`DATABASE_PREPARED_STATEMENTS=off`) for a pooler that does not keep prepared statements
 * across transactions (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
 */
export function preparedStatementNames(max = MAX_NAMED_STATEMENTS): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    if (!sql.startsWith(PREPARED_STATEMENT_MARK)) return '';
    let name = names.get(sql);
    if (name === undefined && names.size < max) names.set(sql, (name = `taskfort_${names.size.toString(36)}`));
    return name ?? '';
  };
}
