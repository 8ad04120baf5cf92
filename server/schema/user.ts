import { builder, DEFAULT_PAGE_SIZE } from '../builder.js';
import { missingTokenError } from '../errors.js';
import { pageSizeArgs, TaskFilter, taskListWhere, TaskOrder, taskOrderBy } from './taskInputs.js';
import { TaskConnection } from './task.js';

builder.prismaObject('User', {
  authScopes: (user) => ({ self: user.id }),
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    tasks: t.prismaConnection(
      {
        type: 'Task',
        cursor: 'id',
        complexity: (args) => ({ field: 1, multiplier: args.first ?? args.last ?? DEFAULT_PAGE_SIZE }),
        args: {
          filter: t.arg({ type: TaskFilter }),
          orderBy: t.arg({ type: TaskOrder }),
        },
        validate: pageSizeArgs,
        resolve: async (query, user, args, ctx) =>
          ctx.db.task.findMany({
            ...query,
            where: await taskListWhere(user.id, args.filter, ctx),
            orderBy: taskOrderBy(args.orderBy),
          }),
      },
      TaskConnection,
    ),
  }),
});

builder.queryFields((t) => ({
  me: t.prismaField({
    type: 'User',
    description: 'The signed-in user.',
    resolve: async (query, _root, _args, ctx) => {
      const user = await ctx.db.user.findUnique({ ...query, where: { id: ctx.viewer!.id } });
      // A valid token for an account that no longer exists.
      if (!user) throw missingTokenError();
      return user;
    },
  }),
  user: t.prismaField({
    type: 'User',
    description: "A user by id: only the viewer's own id is allowed (FORBIDDEN otherwise).",
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, args) => ({ $all: { authenticated: true, self: String(args.id) } }),
    resolve: async (query, _root, args, ctx) => {
      const user = await ctx.db.user.findUnique({ ...query, where: { id: String(args.id) } });
      if (!user) throw missingTokenError();
      return user;
    },
  }),
}));
