/** Distinct statements given a name, per process; any further one runs unnamed (''). */
export const MAX_NAMED_STATEMENTS = 500;

/**
 * Names for `@prisma/adapter-pg`'s `statementNameGenerator`. A named statement is parsed and planned
 * once per connection and then only bound and executed, where an unnamed one is parsed and
 * planned on every run. Prisma's statements come from a fixed set of query shapes, so the same
 * SQL text gets the same name. The set is bounded: lists of ids (`IN ($1, …, $n)`) make new texts,
 * and past the bound they simply run unnamed. Off (`DATABASE_PREPARED_STATEMENTS=off`) for a
 * pooler that does not keep prepared statements (PgBouncer in transaction mode before 1.21).
 */
export function preparedStatementNames(max = MAX_NAMED_STATEMENTS): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < max) names.set(sql, (name = `taskfort_${names.size.toString(36)}`));
    return name ?? '';
  };
}
