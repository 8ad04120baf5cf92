import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import { builder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Context } from '../builder.js';
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
/** A search reads every one of the owner's rows (LIKE '%…%' uses no index), twice with totalCount. */
export const TASK_SEARCH_FLOOR = 30;

export const taskListComplexity = (args: ConnectionArgs) => ({
  field: TASK_LIST_FLOOR + (args.filter?.search?.trim() ? TASK_SEARCH_FLOOR : 0),
  multiplier: Math.max(args.first ?? args.last ?? DEFAULT_PAGE_SIZE, 1),
});

/** Prefix of the prisma plugin's cursor for a string id (`@pothos/core` chunk tag `S`). */
const TASK_CURSOR_PREFIX = 'GPC:S:';
const CANONICAL_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The task id a cursor names, or null when it is not a cursor this API hands out. */
export function taskIdOfCursor(cursor: string): string | null {
  if (cursor.length > 200 || !CANONICAL_BASE64.test(cursor)) return null;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  // Only a canonical encoding: no trailing garbage or alternative spellings of one cursor.
  if (Buffer.from(decoded, 'utf8').toString('base64') !== cursor || !decoded.startsWith(TASK_CURSOR_PREFIX)) return null;
  const id = decoded.slice(TASK_CURSOR_PREFIX.length);
  return TASK_ID.test(id) ? id : null;
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
export const taskListArgsRule = z
  .looseObject({ first: pageSize, last: pageSize, after: cursorArg, before: cursorArg })
  .superRefine((args, context) => {
    const refuse = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
    if (args.first != null && args.last != null) refuse('last', 'cannot be combined with first');
    if (args.after != null && args.before != null) refuse('before', 'cannot be combined with after');
    if (args.first != null && args.before != null) refuse('before', 'cannot be combined with first (use last with before)');
    if (args.last != null && args.after != null) refuse('after', 'cannot be combined with last (use first with after)');
  });

const LIKE_SPECIAL = /[%_\\]/g;

/**
 * Ids of the user's tasks whose title or description contains `search` literally (SQLite only:
 * its LIKE has no escape character unless the statement says ESCAPE, which Prisma cannot emit).
 */
async function sqliteLiteralSearchIds(userId: string, search: string, ctx: TaskDatabase): Promise<string[]> {
  const rows = await ctx.db.$queryRaw<{ id: string }[]>`SELECT "id" FROM "task" WHERE "userId" = ${userId} AND (instr(lower("title"), lower(${search})) > 0 OR instr(lower(coalesce("description", '')), lower(${search})) > 0)`;
  return rows.map((row) => row.id);
}

async function searchCondition(userId: string, search: string, ctx: TaskDatabase): Promise<Prisma.TaskWhereInput> {
  // Prisma's `contains` is LIKE '%' || ? || '%' (ILIKE with mode insensitive). PostgreSQL's LIKE
  // escapes with \ by default, so escaped wildcards match literally, in one statement.
  if (ctx.databaseProvider === 'postgresql') {
    const contains = { contains: search.replace(LIKE_SPECIAL, '\\$&'), mode: 'insensitive' as const };
    return { OR: [{ title: contains }, { description: contains }] };
  }
  if (/[%_]/.test(search)) return { id: { in: await sqliteLiteralSearchIds(userId, search, ctx) } };
  // SQLite's LIKE is case-insensitive for ASCII already.
  return { OR: [{ title: { contains: search } }, { description: { contains: search } }] };
}

/** The where clause of a task list: always the owner's tasks, then the client's filter. */
export async function taskListWhere(userId: string, filter: TaskListArgs['filter'], ctx: TaskDatabase): Promise<Prisma.TaskWhereInput> {
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
  if (search) Object.assign(where, await searchCondition(userId, search, ctx));
  return where;
}

export function taskOrderBy(order: TaskListArgs['orderBy']): Prisma.TaskOrderByWithRelationInput[] {
  const field = order?.field ?? 'createdAt';
  const direction = order?.direction ?? 'desc';
  const primary: Prisma.TaskOrderByWithRelationInput =
    field === 'dueDate' ? { dueDate: { sort: direction, nulls: 'last' } } : { [field]: direction };
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

/** One page of a user's tasks; `query` carries the prisma plugin's select, cursor and take. */
export async function findTaskPage(
  ctx: TaskDatabase,
  userId: string,
  query: Omit<Prisma.TaskFindManyArgs, 'where' | 'orderBy'>,
  args: ConnectionArgs,
) {
  await assertViewerOwnsCursor(ctx, userId, args);
  return ctx.db.task.findMany({
    ...query,
    // Second wall: the cursor row itself is looked up with the owner too.
    ...(query.cursor ? { cursor: { ...query.cursor, userId } } : {}),
    where: await taskListWhere(userId, args.filter, ctx),
    orderBy: taskOrderBy(args.orderBy),
  });
}

/** How many of a user's tasks match the filter (the connection's totalCount). */
export async function countTasks(ctx: TaskDatabase, userId: string, args: TaskListArgs): Promise<number> {
  return ctx.db.task.count({ where: await taskListWhere(userId, args.filter, ctx) });
}
