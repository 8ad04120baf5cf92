import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { getCORSHeadersByRequestAndOptions, type CORSOptions } from '@whatwg-node/server';
import { logAuthEvent } from '../auth/events.js';
import type { Context } from './builder.js';
import type { ClientIpResolver } from '../http/clientIp.js';
import type { RequestLimits, SubscriptionLimits } from '../config.js';
import type { ClientConnection, TaskEventBus } from '../taskEvents/bus.js';
import { acceptsEventStream, serverSentEventsPlugin } from './sse.js';
import { errorCodesPlugin } from './errorCodes.js';
import { graphiQLPageRenderer, type GraphiQLManifest } from './graphiql.js';
import { requestLimitPlugins } from './limits.js';
import { isDatabaseUnavailable, maskError } from './maskError.js';
import { schema } from './schema/index.js';
import { viewerFromRequest, type TokenVerifier, type Viewer } from '../tokens/verifier.js';
import type { ViewerLiveness } from '../tokens/viewerLiveness.js';
import { invalidTokenError, serviceUnavailableError } from './errors.js';
import { yogaLogger } from '../log.js';
import { countStreamOpened, graphqlMetricsPlugin } from '../observability/metrics.js';
import { jitExecutionPlugin } from './jit.js';
import { sharedSubscribe, sharedSubscriptionResultsPlugin } from './sharedSubscriptionResults.js';
import { createStreamTransport } from './streams.js';
import { withVariableCode } from './errorCodes.js';
import { nodeListenerWithoutStackTraces, sendFetchResponse, sendNodeAnswer } from '../http/adapterBoundary.js';
import { createSearchBudget } from './searchBudget.js';
import { currentRequestFacts, loggableOperationName, noteRequestUser } from '../observability/requestContext.js';

export interface GraphQLServerOptions {
  verifyToken: TokenVerifier;
  /**
   * A fresh JWT for the browser session behind a GraphiQL page request, if any. The page then
   * opens with the token in its Headers tab: never in a URL, and the API itself still ignores cookies.
   */
  tokenForGraphiQL?: (request: Request, clientIp: string) => Promise<string | null>;
  /** GraphiQL's hashed asset files (see graphiql.ts). */
  graphiqlAssets: GraphiQLManifest;
  db: Context['db'];
  databaseProvider: Context['databaseProvider'];
  limits: RequestLimits;
  clientIp: ClientIpResolver;
  taskEvents: TaskEventBus;
  subscriptions: SubscriptionLimits;
  /** Compile repeated documents with graphql-jit (see jit.ts). */
  jit?: boolean;
  /** Whether a JWT's session still exists; shared with the auth routes, which clear it when they end sessions. */
  liveness: ViewerLiveness;
}

/** The Node adapter passes the raw request as server context. */
interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

function connectionOf(res: ServerResponse): ClientConnection {
  return {
    // A client can be gone before its stream starts (its 'close' already emitted): told at once.
    onClose: (listener) => (res.closed ? queueMicrotask(listener) : void res.once('close', listener)),
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

/** Tells the request log which operation ran (a bounded name from the parsed document); the context notes for whom. */
const recordRequestFacts: Plugin<Context> = {
  onParse({ context }) {
    return ({ result }) => {
      const facts = currentRequestFacts();
      if (!facts || result instanceof Error || !result) return;
      const requested = (context as { params?: { operationName?: unknown } }).params?.operationName;
      const operation = getOperationAST(result as DocumentNode, typeof requested === 'string' ? requested : undefined);
      facts.operationName = loggableOperationName(operation?.name?.value) ?? facts.operationName;
    };
  },
};

const DEFAULT_QUERY = `# Signed in to the web app in this browser? Your token is already in the Headers tab.
# Otherwise paste one there: {"Authorization": "Bearer <JWT>"}. Then press Run:
query MyTasks {
  me { id email name }
  tasks(first: 10) {
    totalCount
    edges { node { id title completed priority dueDate } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/** Bearer tokens, never cookies: any origin may call the API, but no credentials are shared. */
const CORS_OPTIONS: CORSOptions = { origin: '*', credentials: false, allowedHeaders: ['authorization', 'content-type'], methods: ['GET', 'POST'] };

const GRAPHIQL_OPTIONS = { title: 'Taskfort GraphiQL', defaultQuery: DEFAULT_QUERY, shouldPersistHeaders: false };

/** URL parameters GraphiQL loads an operation from. */
const GRAPHIQL_DOCUMENT_PARAMS = ['query', 'variables', 'operationName', 'extensions'];

/**
 * A link can carry a document (`/graphql?query=mutation{…}`): the page then opens without the
 * viewer's token, so one click on Run cannot act as them. Only a page opened without any
 * document in its URL gets the token.
 */
function mayPrefillToken(request: Request): boolean {
  const { searchParams } = new URL(request.url);
  return !GRAPHIQL_DOCUMENT_PARAMS.some((name) => searchParams.has(name));
}

export function createGraphQLServer({
  verifyToken,
  db,
  databaseProvider,
  tokenForGraphiQL,
  graphiqlAssets,
  limits,
  clientIp,
  taskEvents,
  subscriptions,
  jit = true,
  liveness,
}: GraphQLServerOptions) {
  const searchBudget = createSearchBudget(limits.searchMsPerMinute);
  const ownerOfEndedSession = new WeakMap<GraphQLError, string>();
  /** A JWT whose session ended (sign-out, revocation, reset, deleted account) is refused on every operation, like an invalid one. */
  const liveViewerFromRequest = async (request: { headers: Headers }): Promise<Viewer | null> => {
    const viewer = await viewerFromRequest(request, verifyToken);
    if (!viewer) return null;
    let alive: boolean;
    try {
      alive = await liveness.isAlive(viewer);
    } catch (error) {
      // Fail closed, but as the retryable outage it is (503), not as a bad token.
      if (isDatabaseUnavailable(error)) throw serviceUnavailableError();
      throw error;
    }
    if (!alive) {
      const refusal = invalidTokenError('the session has ended');
      // The token was genuine: the security log names whose ended session it came from.
      ownerOfEndedSession.set(refusal, viewer.id);
      throw refusal;
    }
    return viewer;
  };
  const contextFor = async ({ request, req, res }: { request: { headers: Headers }; req: IncomingMessage; res: ServerResponse }): Promise<Context> => {
    const ip = clientIp(req);
    try {
      const viewer = await liveViewerFromRequest(request);
      // Here rather than at execution, so a live stream's log line names its user too.
      noteRequestUser(viewer?.id);
      return {
        viewer,
        isSessionAlive: async () => viewer !== null && liveness.isAlive(viewer),
        db,
        databaseProvider,
        limits,
        searchBudget,
        clientIp: ip,
        taskEvents,
        connection: connectionOf(res),
      };
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
        logAuthEvent('api.unauthenticated', { userId: ownerOfEndedSession.get(error) ?? null, ip, reason: error.message });
      }
      throw error;
    }
  };
  const subscribe = sharedSubscribe<Context>((context) => context.viewer?.id);
  // One logger for Yoga's messages and the streams' masked errors (streams.ts).
  const logger = yogaLogger();
  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The default GraphiQL page loads its assets from a CDN; ours come from /graphql/assets/.
    renderGraphiQL: graphiQLPageRenderer(graphiqlAssets),
    graphiql: async (request, serverContext) => {
      const ip = serverContext ? clientIp(serverContext.req) : 'unknown';
      const token = tokenForGraphiQL && mayPrefillToken(request) ? await tokenForGraphiQL(request, ip) : null;
      return token ? { ...GRAPHIQL_OPTIONS, headers: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) } : GRAPHIQL_OPTIONS;
    },
    // Unexpected errors become "Unexpected error." with no stack, path or cause, in every environment.
    maskedErrors: { isDev: false, maskError },
    cors: CORS_OPTIONS,
    // Arrays of operations are refused (400 BAD_REQUEST): one request, one operation.
    batching: false,
    // app.ts refuses an oversized body from its Content-Length (413) and a body without one (411)
    // before Yoga runs, so no body can exceed the limit. Yoga's own check pipes every body through
    // a counting stream; measured, that doubled the CPU of a `{ __typename }` request.
    maxRequestBodySize: false,
    // Every message Yoga logs (masked errors included) goes through pino, summarised.
    logging: logger,
    plugins: [
      ...requestLimitPlugins(limits),
      errorCodesPlugin,
      recordAccessRefusals,
      recordRequestFacts,
      graphqlMetricsPlugin(),
      serverSentEventsPlugin({ keepAliveMs: subscriptions.keepAliveMs }),
      ...(jit ? [jitExecutionPlugin()] : []),
      sharedSubscriptionResultsPlugin<Context>(subscribe),
    ],
    context: contextFor,
  });

  const presented = new WeakMap<ExecutionResult, ExecutionResult>();
  /** What Yoga's error masking and errorCodes.ts do to a result, for the streams served without Yoga. */
  const presentable = (result: ExecutionResult): ExecutionResult => {
    if (!result.errors?.length) return result;
    let shown = presented.get(result);
    if (!shown) {
      let changed = false;
      const errors = result.errors.map((error) => {
        const coded = withVariableCode(error);
        const masked = maskError(coded, 'Unexpected error.', false) as GraphQLError;
        if (masked !== coded) logger.error(error);
        if (masked !== error) changed = true;
        return masked;
      });
      // Streams sharing one result object keep sharing it (and its encoded frame, sse.ts).
      presented.set(result, (shown = changed ? { ...result, errors } : result));
    }
    return shown;
  };
  const serveWithYoga = nodeListenerWithoutStackTraces(yoga, 'graphql');
  const serveStream = createStreamTransport<Context>({
    enveloped: (initialContext) => yoga.getEnveloped(initialContext as unknown as Parameters<typeof yoga.getEnveloped>[0]),
    contextFor: ({ headers, req, res }) => contextFor({ request: { headers }, req, res }),
    subscribe,
    presentable,
    forward: (request, req, res) => sendFetchResponse(() => yoga.handleRequest(request, { req, res }), req, res, 'graphql'),
    onStreamOpened: countStreamOpened,
    corsHeaders: (headers) => getCORSHeadersByRequestAndOptions({ headers } as Request, CORS_OPTIONS) ?? {},
    keepAliveMs: subscriptions.keepAliveMs,
    maxTokens: limits.maxTokens,
  });
  /** Node's request listener for /graphql: live streams on their own transport, everything else through Yoga. */
  return (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    (req.method === 'GET' || req.method === 'POST') && req.headers.accept?.toLowerCase().includes('text/event-stream') && acceptsEventStream(req.headers.accept)
      ? sendNodeAnswer(() => serveStream(req, res), res, 'graphql streams')
      : serveWithYoga(req, res);
}
