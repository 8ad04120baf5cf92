import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { logAuthEvent } from '../auth/events.js';
import type { Context } from './builder.js';
import type { ClientIpResolver } from '../http/clientIp.js';
import type { RequestLimits, SubscriptionLimits } from '../config.js';
import type { ClientConnection, TaskEventBus } from '../taskEvents/bus.js';
import { serverSentEventsPlugin } from './sse.js';
import { errorCodesPlugin } from './errorCodes.js';
import { requestLimitPlugins } from './limits.js';
import { maskError } from './maskError.js';
import { schema } from './schema/index.js';
import { viewerFromRequest, type TokenVerifier } from '../tokens/verifier.js';

export interface GraphQLServerOptions {
  verifyToken: TokenVerifier;
  /**
   * A fresh JWT for the browser session behind a GraphiQL page request, if any. The page then
   * opens with the token in its Headers tab: never in a URL, and the API itself still ignores cookies.
   */
  tokenForGraphiQL?: (request: Request) => Promise<string | null>;
  db: Context['db'];
  databaseProvider: Context['databaseProvider'];
  limits: RequestLimits;
  clientIp: ClientIpResolver;
  taskEvents: TaskEventBus;
  subscriptions: SubscriptionLimits;
}

/** The Node adapter passes the raw request as server context. */
interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

function connectionOf(res: ServerResponse): ClientConnection {
  return {
    onClose: (listener) => void res.once('close', listener),
    isBackedUp: () => res.writableNeedDrain,
    drop: () => void res.destroy(),
  };
}

/** 401s and 403s on the API go to the security event log with the viewer and the client IP. */
const recordAccessRefusals: Plugin<Context> = {
  onExecute() {
    return {
      onExecuteDone({ args, result }) {
        if (!('errors' in result) || !result.errors) return;
        const codes = new Set(result.errors.map((error) => error.extensions?.code));
        const context = args.contextValue as Context;
        if (codes.has('FORBIDDEN')) logAuthEvent('api.forbidden', { userId: context.viewer?.id, ip: context.clientIp });
        if (codes.has('UNAUTHENTICATED')) logAuthEvent('api.unauthenticated', { userId: context.viewer?.id, ip: context.clientIp, reason: 'no token' });
      },
    };
  },
};

const DEFAULT_QUERY = `# Paste a JWT into the Headers tab as {"Authorization": "Bearer <token>"}, then run:
query MyTasks {
  me { id email name }
  tasks(first: 10) {
    totalCount
    edges { node { id title completed priority dueDate } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const GRAPHIQL_OPTIONS = { title: 'Taskfort GraphiQL', defaultQuery: DEFAULT_QUERY, shouldPersistHeaders: false };

export function createGraphQLServer({
  verifyToken,
  db,
  databaseProvider,
  tokenForGraphiQL,
  limits,
  clientIp,
  taskEvents,
  subscriptions,
}: GraphQLServerOptions) {
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The default GraphiQL page loads its assets from a CDN; this renderer inlines them.
    renderGraphiQL,
    graphiql: async (request) => {
      const token = tokenForGraphiQL ? await tokenForGraphiQL(request) : null;
      return token ? { ...GRAPHIQL_OPTIONS, headers: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) } : GRAPHIQL_OPTIONS;
    },
    // Unexpected errors become "Unexpected error." with no stack, path or cause, in every environment.
    maskedErrors: { isDev: false, maskError },
    // Bearer tokens, never cookies: any origin may call the API, but no credentials are shared.
    cors: { origin: '*', credentials: false, allowedHeaders: ['authorization', 'content-type'], methods: ['GET', 'POST'] },
    // Arrays of operations are refused (400 BAD_REQUEST): one request, one operation.
    batching: false,
    plugins: [...requestLimitPlugins(limits), errorCodesPlugin, recordAccessRefusals, serverSentEventsPlugin({ keepAliveMs: subscriptions.keepAliveMs })],
    context: async ({ request, req, res }) => {
      const ip = clientIp(req);
      try {
        return {
          viewer: await viewerFromRequest(request, verifyToken),
          db,
          databaseProvider,
          limits,
          clientIp: ip,
          taskEvents,
          connection: connectionOf(res),
        };
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
          logAuthEvent('api.unauthenticated', { ip, reason: error.message });
        }
        throw error;
      }
    },
  });
}
