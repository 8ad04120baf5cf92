import { builder } from '../builder.js';
import { accountGoneError } from '../errors.js';
import { TaskConnection } from './task.js';
import { idArgument } from './taskInputs.js';
import { claimTaskList, countTasks, findTaskPage, taskListArgs, taskListArgsRule, taskListComplexity } from './taskList.js';

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
        complexity: taskListComplexity,
        validate: taskListArgsRule,
        // The user's own tasks: the `self` scope above already made sure the user is the viewer.
        totalCount: (user, args, ctx) => countTasks(ctx, user.id, args),
        resolve: (query, user, args, ctx, info) => {
          claimTaskList(ctx, info, args);
          return findTaskPage(ctx, user.id, query, args);
        },
      },
      TaskConnection,
    ),
  }),
});

builder.queryFields((t) => ({
  me: t.withAuth({ authenticated: true }).prismaField({
    type: 'User',
    description: 'The signed-in user.',
    resolve: async (query, _root, _args, ctx) => {
      const user = await ctx.db.user.findUnique({ ...query, where: { id: ctx.viewer.id } });
      // Deleted within the viewer-liveness cache window (server/tokens/viewerLiveness.ts).
      if (!user) throw accountGoneError();
      return user;
    },
  }),
  user: t.withAuth({ authenticated: true }).prismaField({
    type: 'User',
    description: "A user by id: only the viewer's own id is allowed (FORBIDDEN otherwise).",
    args: { id: t.arg.id({ required: true, validate: idArgument }) },
    authScopes: (_root, args) => ({ $all: { authenticated: true, self: args.id } }),
    resolve: async (query, _root, args, ctx) => {
      const user = await ctx.db.user.findUnique({ ...query, where: { id: args.id } });
      if (!user) throw accountGoneError();
      return user;
    },
  }),
}));
