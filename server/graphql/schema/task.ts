import { builder, MUTATION_COMPLEXITY } from '../builder.js';
import { taskNotFoundError } from '../errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { TaskPriority } from './enums.js';
import { publishTaskChange } from './taskEvents.js';
import {
  CreateTaskInput,
  findTaskPage,
  pageComplexity,
  pageSizeArgs,
  taskListArgs,
  taskListWhere,
  UpdateTaskInput,
  type TaskListArgs,
} from './taskInputs.js';

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

export const TaskConnection = builder.connectionObject(
  {
    type: Task,
    name: 'TaskConnection',
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many tasks match the filter, across all pages.',
        resolve: (connection, _args, ctx) => {
          // The prisma plugin keeps the field's arguments on the connection it builds.
          const { args } = connection as typeof connection & { args: TaskListArgs };
          return taskListWhere(ctx.viewer!.id, args.filter, ctx).then((where) => ctx.db.task.count({ where }));
        },
      }),
    }),
  },
  { name: 'TaskEdge' },
);


builder.queryFields((t) => ({
  task: t.prismaField({
    type: 'Task',
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, args) => ({ $all: { authenticated: true, taskOwner: String(args.id) } }),
    resolve: async (query, _root, args, ctx) => {
      const task = await ctx.db.task.findFirst({ ...query, where: { id: String(args.id), userId: ctx.viewer!.id } });
      if (!task) throw taskNotFoundError(String(args.id));
      return task;
    },
  }),
  tasks: t.prismaConnection(
    {
      type: 'Task',
      cursor: 'id',
      description: "The viewer's tasks, newest first unless orderBy says otherwise.",
      args: taskListArgs,
      complexity: pageComplexity,
      validate: pageSizeArgs,
      resolve: (query, _root, args, ctx) => findTaskPage(ctx, ctx.viewer!.id, query, args),
    },
    TaskConnection,
  ),
}));

builder.mutationFields((t) => ({
  createTask: t.prismaField({
    complexity: MUTATION_COMPLEXITY,
    type: 'Task',
    args: { input: t.arg({ type: CreateTaskInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      ctx.db.task.create({
        ...query,
        data: {
          title: input.title,
          description: input.description ?? null,
          priority: input.priority ?? 1,
          dueDate: input.dueDate ?? null,
          userId: ctx.viewer!.id,
        },
      }).then(publishTaskChange(ctx, 'CREATED')),
  }),
  updateTask: t.prismaField({
    complexity: MUTATION_COMPLEXITY,
    type: 'Task',
    description: 'Omitted fields stay unchanged; an explicit null clears description or dueDate.',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateTaskInput, required: true }),
    },
    authScopes: (_root, args) => ({ $all: { authenticated: true, taskOwner: String(args.id) } }),
    resolve: async (query, _root, { id, input }, ctx) => {
      const where = { id: String(id), userId: ctx.viewer!.id };
      const { count } = await ctx.db.task.updateMany({
        where,
        data: {
          title: input.title ?? undefined,
          description: input.description,
          priority: input.priority ?? undefined,
          dueDate: input.dueDate,
          completed: input.completed ?? undefined,
        },
      });
      const task = count === 1 ? await ctx.db.task.findFirst({ ...query, where }) : null;
      if (!task) throw taskNotFoundError(String(id));
      return publishTaskChange(ctx, 'UPDATED')(task);
    },
  }),
  toggleTask: t.prismaField({
    complexity: MUTATION_COMPLEXITY,
    type: 'Task',
    description: 'Flips completed in one atomic UPDATE, so concurrent toggles never lose an update.',
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, args) => ({ $all: { authenticated: true, taskOwner: String(args.id) } }),
    resolve: async (query, _root, args, ctx) => {
      const where = { id: String(args.id), userId: ctx.viewer!.id };
      const [toggled] = await ctx.db.$queryRaw<{ completed: boolean | number }[]>(
        Prisma.sql`UPDATE "task" SET "completed" = NOT "completed", "updatedAt" = ${new Date()} WHERE "id" = ${where.id} AND "userId" = ${where.userId} RETURNING "completed"`,
      );
      const task = toggled ? await ctx.db.task.findFirst({ ...query, where }) : null;
      if (!toggled || !task) throw taskNotFoundError(where.id);
      // Report the state this toggle produced, even if another toggle landed before the read.
      return publishTaskChange(ctx, 'UPDATED')({ ...task, completed: Boolean(toggled.completed) });
    },
  }),
  deleteTask: t.id({
    complexity: MUTATION_COMPLEXITY,
    description: 'Deletes the task and returns its id.',
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, args) => ({ $all: { authenticated: true, taskOwner: String(args.id) } }),
    resolve: async (_root, args, ctx) => {
      const { count } = await ctx.db.task.deleteMany({ where: { id: String(args.id), userId: ctx.viewer!.id } });
      if (count !== 1) throw taskNotFoundError(String(args.id));
      publishTaskChange(ctx, 'DELETED')({ id: String(args.id) });
      return String(args.id);
    },
  }),
}));
