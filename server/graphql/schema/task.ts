import { builder, MUTATION_COMPLEXITY, ownTaskScopes, viewerOf, type AuthenticatedContext } from '../builder.js';
import { accountGoneError, apiError, taskNotFoundError } from '../errors.js';
import { Prisma, type Task as TaskRow } from '../../generated/prisma/client.js';
import { newTaskId } from '../../db/taskId.js';
import { PREPARED } from '../../db/preparedStatements.js';
import { queryRows } from '../../db/rawRows.js';
import { TaskPriority } from './enums.js';
import { publishTaskChange } from './taskEvents.js';
import { CreateTaskInput, idArgument, UpdateTaskInput } from './taskInputs.js';
import { claimTaskList, countTasks, findTaskPage, taskListArgs, taskListArgsRule, taskListComplexity } from './taskList.js';

export const Task = builder.prismaObject('Task', {
  // Every query already filters on the owner; this is the second wall.
  authScopes: (task) => ({ self: task.userId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    description: t.exposeString('description', { nullable: true }),
    completed: t.exposeBoolean('completed'),
    priority: t.field({ type: TaskPriority, resolve: (task) => task.priority as 0 | 1 | 2 }),
    dueDate: t.expose('dueDate', { type: 'Date', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    owner: t.relation('owner'),
  }),
});

const countsOfLists = new WeakMap<object, number | Promise<number>>();

/** Shared by Query.tasks and User.tasks; each list passes its own `totalCount` loader. */
export const TaskConnection = builder.connectionObject(
  {
    type: Task,
    name: 'TaskConnection',
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many tasks match the filter, across all pages.',
        // The prisma plugin puts the list field's `totalCount` loader on the connection (documented
        // for shared connection objects).
        resolve: (connection) => {
          // Once per list: aliased `totalCount`s of one list share its single COUNT.
          let count = countsOfLists.get(connection);
          if (count === undefined) {
            const { totalCount } = connection as { totalCount?: number | (() => number | Promise<number>) };
            countsOfLists.set(connection, (count = typeof totalCount === 'function' ? totalCount() : (totalCount ?? 0)));
          }
          return count;
        },
      }),
    }),
  },
  { name: 'TaskEdge' },
);

builder.queryFields((t) => ({
  task: t.withAuth({ authenticated: true }).prismaField({
    type: 'Task',
    args: { id: t.arg.id({ required: true, validate: idArgument }) },
    authScopes: ownTaskScopes,
    resolve: async (query, _root, args, ctx) => {
      const task = await ctx.db.task.findFirst({ ...query, where: { id: args.id, userId: ctx.viewer.id } });
      if (!task) throw taskNotFoundError(args.id);
      return task;
    },
  }),
  // Not t.withAuth: its narrowed context does not type-check against the shared TaskConnection
  // object, so the scope is spelled out and the viewer read through viewerOf.
  tasks: t.prismaConnection(
    {
      type: 'Task',
      cursor: 'id',
      description: "The viewer's tasks, newest first unless orderBy says otherwise.",
      authScopes: { authenticated: true },
      args: taskListArgs,
      complexity: taskListComplexity,
      validate: taskListArgsRule,
      totalCount: (_root, args, ctx) => countTasks(ctx, viewerOf(ctx).id, args),
      resolve: (query, _root, args, ctx, info) => {
        claimTaskList(ctx, info, args);
        return findTaskPage(ctx, viewerOf(ctx).id, query, args);
      },
    },
    TaskConnection,
  ),
}));

/**
 * Every column of "task", in the model's field order: a write's RETURNING row has the shape (and,
 * through Prisma's raw typing, the types) of a Prisma read, so the mutation answers from it. A
 * relation the client selects (`owner`) is loaded by the prisma plugin from the row's userId.
 */
const TASK_COLUMNS = Prisma.raw('"id", "title", "description", "completed", "priority", "dueDate", "createdAt", "updatedAt", "userId"');

/** A Prisma or driver error for a foreign key that points nowhere (here: the owner was deleted). */
function isForeignKeyViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    const candidate = current as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (candidate.code === 'P2003' || candidate.code === '23503' || candidate.kind === 'ForeignKeyConstraintViolation') return true;
    if (typeof candidate.message === 'string' && /foreign key constraint/i.test(candidate.message)) return true;
    current = candidate.cause ?? candidate.meta?.driverAdapterError;
  }
  return false;
}

/**
 * Inserts the task only while its owner has fewer than `maxTasks`, in one statement that reads the
 * owner's "taskCount" (kept exact by triggers on "task", see the list_order_indexes_task_count
 * migration) instead of counting the owner's rows. On SQLite writes are serialised; on PostgreSQL
 * FOR UPDATE waits for a concurrent create of the same user (whose trigger holds the row until
 * commit) and re-checks the incremented counter, so the quota is exact on both.
 * Returns the stored row (RETURNING: no second read), 'quota' when the quota is reached, or
 * 'no-owner' when the account is gone.
 */
async function insertTaskWithinQuota(
  ctx: AuthenticatedContext,
  id: string,
  input: typeof CreateTaskInput.$inferInput,
): Promise<TaskRow | 'quota' | 'no-owner'> {
  const now = new Date();
  const postgres = ctx.databaseProvider === 'postgresql';
  const timestamp = postgres ? Prisma.sql`CAST(${now} AS TIMESTAMP(3))` : Prisma.sql`${now}`;
  const userId = ctx.viewer.id;
  // PREPARED: on PostgreSQL a named statement, parsed and planned once per connection.
  const insert = Prisma.sql`${PREPARED}INSERT INTO "task" ("id", "title", "description", "priority", "dueDate", "createdAt", "updatedAt", "userId")
    SELECT ${id}, ${input.title}, ${input.description ?? null}, CAST(${input.priority ?? 1} AS INTEGER), ${input.dueDate ?? null}, ${timestamp}, ${timestamp}, "id"
    FROM "user" WHERE "id" = ${userId} AND "taskCount" < ${ctx.limits.maxTasksPerUser}${postgres ? Prisma.sql` FOR UPDATE` : Prisma.empty}
    RETURNING ${TASK_COLUMNS}`;
  const [inserted] = await queryRows<TaskRow>(ctx.db, insert);
  if (inserted) return inserted;
  // Only on refusal: tell a full quota from an account deleted after the viewer check.
  const owner = await ctx.db.user.findUnique({ where: { id: userId }, select: { id: true } });
  return owner ? 'quota' : 'no-owner';
}

builder.mutationFields((t) => ({
  createTask: t.withAuth({ authenticated: true }).prismaField({
    complexity: MUTATION_COMPLEXITY,
    type: 'Task',
    args: { input: t.arg({ type: CreateTaskInput, required: true }) },
    resolve: async (_query, _root, { input }, ctx) => {
      const id = newTaskId();
      let outcome: Awaited<ReturnType<typeof insertTaskWithinQuota>>;
      try {
        outcome = await insertTaskWithinQuota(ctx, id, input);
      } catch (error) {
        // The account was deleted after the viewer check (or within its cache window).
        if (isForeignKeyViolation(error)) throw accountGoneError();
        throw error;
      }
      if (outcome === 'no-owner') throw accountGoneError();
      if (outcome === 'quota') {
        throw apiError('TASK_LIMIT_REACHED', `You have reached the limit of ${ctx.limits.maxTasksPerUser} tasks: delete some to add more.`);
      }
      return publishTaskChange(ctx, 'CREATED')(outcome);
    },
  }),
  updateTask: t.withAuth({ authenticated: true }).prismaField({
    complexity: MUTATION_COMPLEXITY,
    type: 'Task',
    description: 'Omitted fields stay unchanged; an explicit null clears description or dueDate.',
    args: {
      id: t.arg.id({ required: true, validate: idArgument }),
      input: t.arg({ type: UpdateTaskInput, required: true }),
    },
    authScopes: ownTaskScopes,
    resolve: async (query, _root, { id, input }, ctx) => {
      const where = { id, userId: ctx.viewer.id };
      const data = {
        title: input.title ?? undefined,
        description: input.description,
        priority: input.priority ?? undefined,
        dueDate: input.dueDate,
        completed: input.completed ?? undefined,
      };
      // An empty input changes nothing: the task as it is, and no event.
      const changes = Object.values(data).some((value) => value !== undefined);
      const count = changes ? (await ctx.db.task.updateMany({ where, data })).count : 1;
      const task = count === 1 ? await ctx.db.task.findFirst({ ...query, where }) : null;
      if (!task) throw taskNotFoundError(id);
      return changes ? publishTaskChange(ctx, 'UPDATED')(task) : task;
    },
  }),
  toggleTask: t.withAuth({ authenticated: true }).prismaField({
    complexity: MUTATION_COMPLEXITY,
    type: 'Task',
    description: 'Flips completed in one atomic UPDATE, so concurrent toggles never lose an update.',
    args: { id: t.arg.id({ required: true, validate: idArgument }) },
    authScopes: ownTaskScopes,
    resolve: async (_query, _root, args, ctx) => {
      // The row as this toggle left it, even if another toggle lands right after. PREPARED: on
      // PostgreSQL a named statement, parsed and planned once per connection.
      const toggle = Prisma.sql`${PREPARED}UPDATE "task" SET "completed" = NOT "completed", "updatedAt" = ${new Date()}
        WHERE "id" = ${args.id} AND "userId" = ${ctx.viewer.id} RETURNING ${TASK_COLUMNS}`;
      const [toggled] = await queryRows<TaskRow>(ctx.db, toggle);
      if (!toggled) throw taskNotFoundError(args.id);
      return publishTaskChange(ctx, 'UPDATED')(toggled);
    },
  }),
  deleteTask: t.withAuth({ authenticated: true }).id({
    complexity: MUTATION_COMPLEXITY,
    description: 'Deletes the task and returns its id.',
    args: { id: t.arg.id({ required: true, validate: idArgument }) },
    authScopes: ownTaskScopes,
    resolve: async (_root, args, ctx) => {
      const { count } = await ctx.db.task.deleteMany({ where: { id: args.id, userId: ctx.viewer.id } });
      if (count !== 1) throw taskNotFoundError(args.id);
      publishTaskChange(ctx, 'DELETED')({ id: args.id });
      return args.id;
    },
  }),
}));
