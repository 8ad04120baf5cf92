import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.js';
import { builder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Context } from '../builder.js';
import { isPossibleId } from '../../rules.js';
import { apiError } from '../errors.js';
import { TaskFilter, TaskOrder } from './taskInputs.js';

// How a task list (Query.tasks, User.tasks) becomes one Prisma query: owner filter, client
// filter, order, cursor checks, and what a list costs.

export interface TaskListArgs {
  filter?: typeof TaskFilter.$inferInput | null;
  orderBy?: typeof TaskOrder.$inferInput | null;
}

interface ConnectionArgs extends TaskListArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

type TaskDatabase = Pick<Context, 'db' | 'databaseProvider'>;
type TaskListContext = TaskDatabase & Pick<Context, 'searchBudget'>;

/** Arguments shared by `Query.tasks` and `User.tasks` (the relay plugin adds first/last/after/before). */
export const taskListArgs = builder.args((t) => ({
  filter: t.field({ type: TaskFilter }),
  orderBy: t.field({ type: TaskOrder }),
}));

/**
 * Complexity of a task list. The page size multiplies the selection, but reading a page, counting
 * and searching scan stored rows whatever the page size, so a list never costs less than a floor:
 * `first: 0` no longer makes a COUNT or a search free (15 aliased `tasks(first: 0) { totalCount }`
 * under each of 100 tasks cost ~31,000 instead of ~1,700).
 */
export const TASK_LIST_FLOOR = 20;
/** A search reads every one of the owner's rows (LIKE '%…%' uses no index), twice with totalCount; see searchBudget.ts. */
export const TASK_SEARCH_FLOOR = 30;

export const taskListComplexity = (args: ConnectionArgs) => ({
  field: TASK_LIST_FLOOR + (args.filter?.search?.trim() ? TASK_SEARCH_FLOOR : 0),
  multiplier: Math.max(args.first ?? args.last ?? DEFAULT_PAGE_SIZE, 1),
});

/**
 * Task lists one execution may run, and how many of them may search. Each list is one or two
 * statements that may read many of the owner's rows: a search reads all of them, and so does a
 * filter no index answers (priority with a due range, no row matching). The cost limit prices a
 * list by its page size, and the `Task.owner → User.tasks` cycle put a list under every task of
 * another: 100 of them in a 200-byte request fit the limit and blocked SQLite's event loop for 26 s.
 * A few lists side by side (`active: tasks(…) done: tasks(…) me { tasks }`) stay possible; a fourth is refused.
 */
export const MAX_TASK_LISTS_PER_EXECUTION = 3;
export const MAX_SEARCHES_PER_EXECUTION = 1;

interface ListsRun {
  lists: number;
  searches: number;
}

/** Per request context, then per root value: a live stream executes each event on its own root. */
const listsRun = new WeakMap<object, WeakMap<object, ListsRun>>();
const NO_ROOT = {};

/**
 * Counts a task list against its execution's allowance; past it, QUERY_TOO_COMPLEX before any
 * statement. A live stream's selection never holds a list (limits.ts refuses it when the stream
 * starts, as every event would run it once per stream); this is the second wall.
 */
export function claimTaskList(ctx: object, info: Pick<GraphQLResolveInfo, 'rootValue' | 'operation'>, args: TaskListArgs): void {
  if (info.operation.operation === 'subscription') {
    throw apiError('QUERY_TOO_COMPLEX', 'A subscription cannot select a task list: refetch the list after an event.', { field: 'tasks' });
  }
  let byRoot = listsRun.get(ctx);
  if (!byRoot) listsRun.set(ctx, (byRoot = new WeakMap()));
  const root = typeof info.rootValue === 'object' && info.rootValue !== null ? info.rootValue : NO_ROOT;
  let run = byRoot.get(root);
  if (!run) byRoot.set(root, (run = { lists: 0, searches: 0 }));
  run.lists++;
  if (run.lists > MAX_TASK_LISTS_PER_EXECUTION) {
    throw apiError('QUERY_TOO_COMPLEX', `A request may read ${MAX_TASK_LISTS_PER_EXECUTION} task lists; send another request for each further list.`, {
      field: 'tasks',
    });
  }
  if (!args.filter?.search?.trim()) return;
  run.searches++;
  if (run.searches > MAX_SEARCHES_PER_EXECUTION) {
    throw apiError('QUERY_TOO_COMPLEX', `A request may search one task list; send another request for each further search.`, { field: 'filter' });
  }
}

/** Prefix of the prisma plugin's cursor for a string id (`@pothos/core` chunk tag `S`). */
const TASK_CURSOR_PREFIX = 'GPC:S:';
const CANONICAL_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The task id a cursor names, or null when it is not a cursor this API hands out. */
export function taskIdOfCursor(cursor: string): string | null {
  if (cursor.length > 200 || !CANONICAL_BASE64.test(cursor)) return null;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  // Only a canonical encoding: no trailing garbage or alternative spellings of one cursor.
  if (Buffer.from(decoded, 'utf8').toString('base64') !== cursor || !decoded.startsWith(TASK_CURSOR_PREFIX)) return null;
  const id = decoded.slice(TASK_CURSOR_PREFIX.length);
  return isPossibleId(id) ? id : null;
}

const cursorArg = z
  .string()
  .refine((cursor) => taskIdOfCursor(cursor) !== null, 'is not a cursor this API returned')
  .nullish();
const pageSize = z.number().int().min(0).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`).nullish();

/**
 * The relay contract this API supports: `first` with `after`, or `last` with `before`. Any other
 * combination, a page size beyond the maximum (refused, not clamped) or a cursor that was not
 * handed out is BAD_USER_INPUT naming the argument, before any resolver runs.
 */
export const taskListArgsRule = z.looseObject({ first: pageSize, last: pageSize, after: cursorArg, before: cursorArg }).superRefine((args, context) => {
  const refuse = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
  if (args.first != null && args.last != null) refuse('last', 'cannot be combined with first');
  if (args.after != null && args.before != null) refuse('before', 'cannot be combined with after');
  if (args.first != null && args.before != null) refuse('before', 'cannot be combined with first (use last with before)');
  if (args.last != null && args.after != null) refuse('after', 'cannot be combined with last (use first with after)');
});

const LIKE_SPECIAL = /[%_\\]/g;
const SQLITE_LIKE_WILDCARD = /[%_]/;

/**
 * Prisma's `contains` is LIKE '%' || ? || '%' with no ESCAPE clause. PostgreSQL's LIKE/ILIKE
 * escape with \ by default, so escaping the input makes any search literal there. SQLite's LIKE
 * has no escape character without ESCAPE, which Prisma cannot emit: a SQLite search containing %
 * or _ goes through sqliteLiteralSearchPage instead.
 */
function usesSqliteLiteralSearch(ctx: TaskDatabase, filter: TaskListArgs['filter']): boolean {
  return ctx.databaseProvider === 'sqlite' && SQLITE_LIKE_WILDCARD.test(filter?.search?.trim() ?? '');
}

/** The where clause of a task list: always the owner's tasks, then the client's filter. */
export function taskListWhere(userId: string, filter: TaskListArgs['filter'], ctx: TaskDatabase): Prisma.TaskWhereInput {
  const where: Prisma.TaskWhereInput = { userId };
  if (filter?.status === 'ACTIVE') where.completed = false;
  if (filter?.status === 'COMPLETED') where.completed = true;
  if (filter?.priority != null) where.priority = filter.priority;
  if (filter?.dueBefore || filter?.dueAfter) {
    where.dueDate = {
      ...(filter.dueBefore ? { lte: filter.dueBefore } : {}),
      ...(filter.dueAfter ? { gte: filter.dueAfter } : {}),
    };
  }
  const search = filter?.search?.trim();
  if (search) {
    // SQLite's LIKE is case-insensitive for ASCII already; PostgreSQL needs ILIKE.
    const contains =
      ctx.databaseProvider === 'postgresql' ? { contains: search.replace(LIKE_SPECIAL, '\\$&'), mode: 'insensitive' as const } : { contains: search };
    where.OR = [{ title: contains }, { description: contains }];
  }
  return where;
}

/** The same filter as taskListWhere in SQLite SQL, with a literal (instr) search. */
function sqliteFilterSql(userId: string, filter: TaskListArgs['filter']): Prisma.Sql {
  const conditions = [Prisma.sql`"userId" = ${userId}`];
  if (filter?.status === 'ACTIVE') conditions.push(Prisma.sql`"completed" = 0`);
  if (filter?.status === 'COMPLETED') conditions.push(Prisma.sql`"completed" = 1`);
  if (filter?.priority != null) conditions.push(Prisma.sql`"priority" = ${filter.priority}`);
  if (filter?.dueBefore) conditions.push(Prisma.sql`"dueDate" <= ${filter.dueBefore}`);
  if (filter?.dueAfter) conditions.push(Prisma.sql`"dueDate" >= ${filter.dueAfter}`);
  const search = filter?.search?.trim();
  if (search) {
    conditions.push(Prisma.sql`(instr(lower("title"), lower(${search})) > 0 OR instr(lower(coalesce("description", '')), lower(${search})) > 0)`);
  }
  return Prisma.join(conditions, ' AND ');
}

const ORDER_COLUMNS = { createdAt: '"createdAt"', updatedAt: '"updatedAt"', dueDate: '"dueDate"', priority: '"priority"', title: '"title"' } as const;

/** taskOrderBy as SQL (column names from a fixed table, never from input). */
function orderBySql(order: TaskListArgs['orderBy']): Prisma.Sql {
  const field = order?.field ?? 'createdAt';
  const direction = (order?.direction ?? 'desc') === 'asc' ? 'ASC' : 'DESC';
  const primary = `${ORDER_COLUMNS[field]} ${direction}${field === 'dueDate' ? ' NULLS LAST' : ''}`;
  return Prisma.raw(field === 'createdAt' ? `${primary}, "id" ${direction}` : `${primary}, "createdAt" DESC, "id" DESC`);
}

/**
 * The ids of one page of a literal SQLite search, in one statement whatever the number of matches:
 * every row of the owner is numbered in list order (so a cursor keeps its place even if its task
 * no longer matches), then the page is taken after or before the cursor's number. Only the page's
 * ids (at most MAX_PAGE_SIZE + 1) reach the query that loads them.
 */
async function sqliteLiteralSearchPage(
  ctx: TaskDatabase,
  userId: string,
  query: { take?: number; cursor?: { id?: string } },
  args: TaskListArgs,
): Promise<string[]> {
  const take = query.take ?? DEFAULT_PAGE_SIZE + 1;
  const backward = take < 0;
  const cursorId = query.cursor?.id;
  const cursorCondition = cursorId
    ? Prisma.sql`AND "position" ${Prisma.raw(backward ? '<' : '>')} (SELECT "position" FROM ranked WHERE "id" = ${cursorId})`
    : Prisma.empty;
  const rows = await ctx.db.$queryRaw<{ id: string }[]>`
    WITH ranked AS (
      SELECT "id", (${sqliteFilterSql(userId, args.filter)}) AS "matches", ROW_NUMBER() OVER (ORDER BY ${orderBySql(args.orderBy)}) AS "position"
      FROM "task" WHERE "userId" = ${userId}
    )
    SELECT "id" FROM ranked WHERE "matches" ${cursorCondition}
    ORDER BY "position" ${Prisma.raw(backward ? 'DESC' : 'ASC')} LIMIT ${Math.abs(take)}`;
  return rows.map((row) => row.id);
}

export function taskOrderBy(order: TaskListArgs['orderBy']): Prisma.TaskOrderByWithRelationInput[] {
  const field = order?.field ?? 'createdAt';
  const direction = order?.direction ?? 'desc';
  const primary: Prisma.TaskOrderByWithRelationInput = field === 'dueDate' ? { dueDate: { sort: direction, nulls: 'last' } } : { [field]: direction };
  // The unique id breaks ties, which keeps cursors stable when many rows share a sort value.
  return field === 'createdAt' ? [primary, { id: direction }] : [primary, { createdAt: 'desc' }, { id: 'desc' }];
}

/**
 * Prisma positions a page at the cursor row before any where clause applies, so a cursor naming
 * another user's task would order the viewer's rows relative to that task (and leak its title,
 * priority, dates). A cursor must name one of the viewer's tasks; otherwise BAD_USER_INPUT, the
 * same answer as for a task that does not exist, so the refusal reveals nothing.
 */
async function assertViewerOwnsCursor(ctx: TaskDatabase, userId: string, args: ConnectionArgs): Promise<void> {
  const argument = args.after != null ? 'after' : args.before != null ? 'before' : null;
  if (!argument) return;
  const taskId = taskIdOfCursor(args[argument]!);
  const owned = taskId ? await ctx.db.task.findFirst({ where: { id: taskId, userId }, select: { id: true } }) : null;
  if (!owned) throw apiError('BAD_USER_INPUT', 'Invalid pagination cursor: pass a cursor this API returned.', { field: argument });
}

/** A searched statement runs within the user's search budget (searchBudget.ts); others run as they are. */
function withinSearchBudget<T>(ctx: TaskListContext, userId: string, args: TaskListArgs, statement: () => Promise<T>): Promise<T> {
  return args.filter?.search?.trim() ? ctx.searchBudget.run(userId, statement) : statement();
}

/** One page of a user's tasks; `query` carries the prisma plugin's select, cursor and take. */
export async function findTaskPage(ctx: TaskListContext, userId: string, query: Omit<Prisma.TaskFindManyArgs, 'where' | 'orderBy'>, args: ConnectionArgs) {
  await assertViewerOwnsCursor(ctx, userId, args);
  return withinSearchBudget(ctx, userId, args, () => findPage(ctx, userId, query, args));
}

async function findPage(ctx: TaskDatabase, userId: string, query: Omit<Prisma.TaskFindManyArgs, 'where' | 'orderBy'>, args: ConnectionArgs) {
  const orderBy = taskOrderBy(args.orderBy);
  if (usesSqliteLiteralSearch(ctx, args.filter)) {
    const { cursor, take, skip: _skip, ...selection } = query;
    const ids = await sqliteLiteralSearchPage(ctx, userId, { take, cursor }, args);
    return ctx.db.task.findMany({ ...selection, where: { id: { in: ids }, userId }, orderBy });
  }
  return ctx.db.task.findMany({
    ...query,
    // Second wall: the cursor row itself is looked up with the owner too.
    ...(query.cursor ? { cursor: { ...query.cursor, userId } } : {}),
    where: taskListWhere(userId, args.filter, ctx),
    orderBy,
  });
}

/** How many of a user's tasks match the filter (the connection's totalCount). */
export function countTasks(ctx: TaskListContext, userId: string, args: TaskListArgs): Promise<number> {
  return withinSearchBudget(ctx, userId, args, () => count(ctx, userId, args));
}

async function count(ctx: TaskDatabase, userId: string, args: TaskListArgs): Promise<number> {
  if (usesSqliteLiteralSearch(ctx, args.filter)) {
    const [row] = await ctx.db.$queryRaw<{ count: bigint | number }[]>`SELECT COUNT(*) AS "count" FROM "task" WHERE ${sqliteFilterSql(userId, args.filter)}`;
    return Number(row?.count ?? 0);
  }
  return ctx.db.task.count({ where: taskListWhere(userId, args.filter, ctx) });
}
