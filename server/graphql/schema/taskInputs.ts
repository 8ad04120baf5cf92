import { z } from 'zod';
import { builder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../builder.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Context } from '../builder.js';
import { OrderDirection, TaskOrderField, TaskPriority, TaskStatus } from './enums.js';

import { SEARCH_MAX_LENGTH, TASK_DESCRIPTION_MAX_LENGTH as DESCRIPTION_MAX_LENGTH, TASK_TITLE_MAX_LENGTH as TITLE_MAX_LENGTH } from '../../rules.js';

export { DESCRIPTION_MAX_LENGTH, SEARCH_MAX_LENGTH, TITLE_MAX_LENGTH };

const title = z.string().trim().min(1, 'must not be empty').max(TITLE_MAX_LENGTH, `must be at most ${TITLE_MAX_LENGTH} characters`);
const description = z.string().max(DESCRIPTION_MAX_LENGTH, `must be at most ${DESCRIPTION_MAX_LENGTH} characters`);
const notNull = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.undefined()], { error: (issue) => (issue.input === null ? 'must not be null' : undefined) });

export const TaskFilter = builder.inputType('TaskFilter', {
  fields: (t) => ({
    status: t.field({ type: TaskStatus, defaultValue: 'ALL' }),
    priority: t.field({ type: TaskPriority }),
    search: t.string({
      description: 'Case-insensitive substring of the title or description.',
      validate: z.string().max(SEARCH_MAX_LENGTH, `must be at most ${SEARCH_MAX_LENGTH} characters`).nullish(),
    }),
    dueBefore: t.field({ type: 'Date', description: 'Due on or before this date.' }),
    dueAfter: t.field({ type: 'Date', description: 'Due on or after this date.' }),
  }),
});

export const TaskOrder = builder.inputType('TaskOrder', {
  fields: (t) => ({
    field: t.field({ type: TaskOrderField, required: true, defaultValue: 'createdAt' }),
    direction: t.field({ type: OrderDirection, required: true, defaultValue: 'desc' }),
  }),
});

export const CreateTaskInput = builder.inputType('CreateTaskInput', {
  fields: (t) => ({
    title: t.string({ required: true, validate: title }),
    description: t.string({ validate: description.nullish() }),
    priority: t.field({ type: TaskPriority, defaultValue: 1 }),
    dueDate: t.field({ type: 'Date' }),
  }),
});

/** title, priority and completed may be omitted but never null (only description and dueDate clear). */
// looseObject: the validated value replaces the input, so the other fields must pass through.
const notNullOnUpdate = z
  .looseObject({ title: z.unknown(), priority: z.unknown(), completed: z.unknown() })
  .partial()
  .superRefine((input, context) => {
    for (const key of ['title', 'priority', 'completed'] as const) {
      if (input[key] === null) context.addIssue({ code: 'custom', path: [key], message: 'must not be null' });
    }
  });

export const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
  description: 'Omitted fields stay unchanged; null clears description and dueDate.',
  validate: notNullOnUpdate,
  fields: (t) => ({
    title: t.string({ validate: notNull(title) }),
    description: t.string({ validate: description.nullish() }),
    priority: t.field({ type: TaskPriority, validate: notNull(z.number()) }),
    dueDate: t.field({ type: 'Date' }),
    completed: t.boolean({ validate: notNull(z.boolean()) }),
  }),
});

/** `first`/`last` beyond the contract's page size are refused rather than silently clamped. */
export const pageSizeArgs = z.looseObject({
  first: z.number().int().min(0).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`).nullish(),
  last: z.number().int().min(0).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`).nullish(),
});

export interface TaskListArgs {
  filter?: typeof TaskFilter.$inferInput | null;
  orderBy?: typeof TaskOrder.$inferInput | null;
}

const LIKE_WILDCARDS = /[%_\\]/;

/**
 * Ids of the user's tasks whose title or description contains `search` literally. Prisma's
 * `contains` becomes LIKE without escaping on SQLite, so a search for "50%" or "a_b" would
 * match too much: such searches use instr/strpos instead.
 */
async function literalSearchIds(userId: string, search: string, ctx: Pick<Context, 'db' | 'databaseProvider'>): Promise<string[]> {
  const rows =
    ctx.databaseProvider === 'postgresql'
      ? await ctx.db.$queryRaw<{ id: string }[]>`SELECT "id" FROM "task" WHERE "userId" = ${userId} AND (strpos(lower("title"), lower(${search})) > 0 OR strpos(lower(coalesce("description", '')), lower(${search})) > 0)`
      : await ctx.db.$queryRaw<{ id: string }[]>`SELECT "id" FROM "task" WHERE "userId" = ${userId} AND (instr(lower("title"), lower(${search})) > 0 OR instr(lower(coalesce("description", '')), lower(${search})) > 0)`;
  return rows.map((row) => row.id);
}

/** The where clause of a task list: always the owner's tasks, then the client's filter. */
export async function taskListWhere(
  userId: string,
  filter: TaskListArgs['filter'],
  ctx: Pick<Context, 'db' | 'databaseProvider'>,
): Promise<Prisma.TaskWhereInput> {
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
  if (search && LIKE_WILDCARDS.test(search)) {
    where.id = { in: await literalSearchIds(userId, search, ctx) };
  } else if (search) {
    // SQLite's LIKE is already case-insensitive (ASCII); PostgreSQL needs ILIKE.
    const contains =
      ctx.databaseProvider === 'postgresql' ? { contains: search, mode: 'insensitive' as const } : { contains: search };
    where.OR = [{ title: contains }, { description: contains }];
  }
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

/** Arguments, cost and query shared by `Query.tasks` and `User.tasks`. */
export const taskListArgs = builder.args((t) => ({
  filter: t.field({ type: TaskFilter }),
  orderBy: t.field({ type: TaskOrder }),
}));

/** A connection costs its page size times its selection (Pothos complexity). */
export const pageComplexity = (args: { first?: number | null; last?: number | null }) => ({
  field: 1,
  multiplier: args.first ?? args.last ?? DEFAULT_PAGE_SIZE,
});

/** One page of a user's tasks; `query` carries the prisma plugin's select, cursor and take. */
export async function findTaskPage(
  ctx: Pick<Context, 'db' | 'databaseProvider'>,
  userId: string,
  query: Omit<Prisma.TaskFindManyArgs, 'where' | 'orderBy'>,
  args: TaskListArgs,
) {
  return ctx.db.task.findMany({ ...query, where: await taskListWhere(userId, args.filter, ctx), orderBy: taskOrderBy(args.orderBy) });
}
