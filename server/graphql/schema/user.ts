import { builder } from '../builder.js';
import { missingTokenError } from '../errors.js';
import { findTaskPage, pageComplexity, pageSizeArgs, taskListArgs } from './taskInputs.js';
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
        args: taskListArgs,
        complexity: pageComplexity,
        validate: pageSizeArgs,
        resolve: (query, user, args, ctx) => findTaskPage(ctx, user.id, query, args),
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
