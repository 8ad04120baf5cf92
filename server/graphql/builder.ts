import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type { DatabaseProvider, RequestLimits } from '../config.js';
import type { Database } from '../db/client.js';
import { PREPARED } from '../db/preparedStatements.js';
import { queryRows } from '../db/rawRows.js';
import { Prisma } from '../generated/prisma/client.js';
import { apiError, forbiddenError, missingTokenError } from './errors.js';
import { isPossibleId } from '../rules.js';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import type { Viewer } from '../tokens/verifier.js';
import type { ClientConnection, TaskEventBus } from '../taskEvents/bus.js';
import type { SearchBudget } from './searchBudget.js';

export interface Context {
  /** Null without an Authorization header; a verified, still-existing user otherwise. */
  viewer: Viewer | null;
  db: Database;
  databaseProvider: DatabaseProvider;
  limits: RequestLimits;
  /** Each user's share of database time for searches. */
  searchBudget: SearchBudget;
  clientIp: string;
  taskEvents: TaskEventBus;
  connection: ClientConnection;
  /** Whether the viewer's session still exists now (cached for a few seconds); false without a viewer. */
  isSessionAlive: () => Promise<boolean>;
}

/** The context of a field behind `authenticated` (`t.withAuth(...)`): the viewer is known. */
export type AuthenticatedContext = Context & { viewer: Viewer };

/** Complexity of one mutation: writes cost more than reads. */
export const MUTATION_COMPLEXITY = 25;

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: {
    authenticated: boolean;
    /** The viewer is the user with this id. */
    self: string;
    /** The task with this id belongs to the viewer (a missing task passes; the resolver answers NOT_FOUND). */
    taskOwner: string;
  };
  AuthContexts: {
    authenticated: AuthenticatedContext;
  };
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // scope-auth first, so authorization runs before any other plugin's wrapping.
  plugins: [ScopeAuthPlugin, ComplexityPlugin, PrismaPlugin, RelayPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (ctx) => ({ complexity: ctx.limits.maxComplexity }),
    complexityError: (_kind, result) => apiError('QUERY_TOO_COMPLEX', `Query complexity ${result.complexity} exceeds the limit of ${result.maxComplexity}.`),
  },
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // A connection's page size is its cost multiplier (set on the connection field), not the edges list.
    edgesFieldOptions: { nullable: false, complexity: { field: 0, multiplier: 1 } },
    nodeFieldOptions: { nullable: false },
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.viewer !== null,
      self: (userId) => ctx.viewer?.id === userId,
      taskOwner: async (taskId) => {
        if (!ctx.viewer) return false;
        // No task has such an id, and the argument's validation (after this scope) refuses it.
        if (!isPossibleId(taskId)) return true;
        // One read by primary key, straight to the driver adapter (db/rawRows.ts); on PostgreSQL a
        // named statement (PREPARED). Prisma's findUnique cost toggleTask a quarter of its CPU.
        const [task] = await queryRows<{ userId: string }>(ctx.db, Prisma.sql`${PREPARED}SELECT "userId" FROM "task" WHERE "id" = ${taskId}`);
        // Nothing to protect: the resolver's owner-filtered query answers NOT_FOUND (after input validation).
        if (!task) return true;
        return task.userId === ctx.viewer.id;
      },
    }),
    unauthorizedError: (_parent, ctx) => (ctx.viewer ? forbiddenError() : missingTokenError()),
    // Subscriptions are authorized when they start (no token: 401, no stream), not per event.
    authorizeOnSubscribe: true,
  },
  validation: {
    validationError: ({ issues }) => {
      const [first] = issues;
      const field = first?.path?.map((segment) => (typeof segment === 'object' ? segment.key : segment)).join('.');
      const message = issues
        .map((issue) => {
          const path = issue.path?.map((segment) => (typeof segment === 'object' ? segment.key : segment)).join('.');
          return path ? `${path}: ${issue.message}` : issue.message;
        })
        .join('; ');
      return apiError('BAD_USER_INPUT', message, field ? { field } : {});
    },
  },
});

/** Scopes of a field acting on one task by id: a signed-in viewer who owns that task. */
export const ownTaskScopes = (_parent: unknown, args: { id: string }) => ({ $all: { authenticated: true, taskOwner: args.id } }) as const;

/** The viewer of a field whose `authenticated` scope has passed (for fields t.withAuth cannot type). */
export function viewerOf(ctx: Context): Viewer {
  if (!ctx.viewer) throw missingTokenError();
  return ctx.viewer;
}
