import { builder, type Context } from '../builder.js';
import { invalidTokenError } from '../errors.js';
import { SESSION_ENDED, TOKEN_EXPIRED, type StreamEnd } from '../../taskEvents/bus.js';
import type { TaskChange } from '../../taskEvents/taskChange.js';

export const TaskEventKind = builder.enumType('TaskEventKind', {
  values: ['CREATED', 'UPDATED', 'DELETED'] as const,
});

const TaskEvent = builder.objectRef<TaskChange>('TaskEvent').implement({
  fields: (t) => ({
    kind: t.field({ type: TaskEventKind, resolve: (change) => change.kind }),
    taskId: t.exposeID('taskId', { description: "The task's id (for DELETED the task no longer exists)." }),
    task: t.prismaField({
      type: 'Task',
      nullable: true,
      description: 'The task after the change; null for DELETED.',
      // Read by the subscriber's process, filtered on the viewer: the event itself carries ids only.
      // Once per change for all of a user's streams with one document (sharedSubscriptionResults.ts).
      resolve: (query, change, _args, ctx) =>
        change.kind === 'DELETED' ? null : ctx.db.task.findFirst({ ...query, where: { id: change.taskId, userId: ctx.viewer!.id } }),
    }),
    at: t.field({ type: 'DateTime', resolve: (change) => new Date(change.at) }),
  }),
});

builder.subscriptionType({
  authScopes: { authenticated: true },
  fields: (t) => ({
    taskEvents: t.field({
      type: TaskEvent,
      description: "Changes to the viewer's tasks, from any client, as they happen.",
      subscribe: (_root, _args, ctx) =>
        ctx.taskEvents.stream({
          userId: ctx.viewer!.id,
          expiresAtMs: ctx.viewer!.tokenExpiresAtMs,
          connection: ctx.connection,
          session: { id: ctx.viewer!.sessionId, isAlive: ctx.isSessionAlive },
        }),
      resolve: (event: TaskChange | StreamEnd) => {
        // The stream's last event: the client renews its token and subscribes again (or, when
        // the session has ended, finds it cannot and signs out).
        if (event === TOKEN_EXPIRED) throw invalidTokenError('the token has expired');
        if (event === SESSION_ENDED) throw invalidTokenError('the session has ended');
        return event;
      },
    }),
  }),
});

/** For a mutation, after its write committed: `.then(publishTaskChange(ctx, 'CREATED'))`. */
export const publishTaskChange =
  (ctx: Context, kind: TaskChange['kind']) =>
  <T extends { id: string }>(task: T): T => {
    ctx.taskEvents.publish({ kind, userId: ctx.viewer!.id, taskId: task.id });
    return task;
  };
