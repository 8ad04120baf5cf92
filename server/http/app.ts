import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRateLimitKey, normalizeIP } from '@better-auth/core/utils/ip';
import { logAuthEvent } from '../auth/events.js';
import { carriesSessionCredentials, CLIENT_IP_HEADER, createAuth, NOT_SIGNED_IN } from '../auth/betterAuth.js';
import { authRouteOf, ENABLED_AUTH_ROUTES, type AuthRouteName } from '../auth/routes.js';
import { createRateLimitStore } from '../auth/rateLimitStore.js';
import { createAuthHandler } from './authHandler.js';
import { batchedSessionLookup } from '../tokens/sessionLookup.js';
import { createViewerLiveness } from '../tokens/viewerLiveness.js';
import { clientIpResolver } from './clientIp.js';
import type { Config } from '../config.js';
import { isDatabaseReachable, type Database } from '../db/client.js';
import { reloadingKeySet, remoteKeySetLoader } from '../tokens/keySet.js';
import { createStaticHandler, HTML_SECURITY_HEADERS } from './static.js';
import { createTokenVerifier } from '../tokens/verifier.js';
import { createGraphQLServer } from '../graphql/yoga.js';
import { createGraphiQLAssetHandler, GRAPHIQL_ASSETS_PATH, GRAPHIQL_CONTENT_SECURITY_POLICY, loadGraphiQLAssets } from '../graphql/graphiql.js';
import { log, summarizeError } from '../log.js';
import { observeRequests } from '../observability/requestLog.js';
import { taskEventBusFor } from '../taskEvents/bus.js';

export interface AppOptions {
  config: Config;
  db: Database;
}

export interface App {
  handle: (request: IncomingMessage, response: ServerResponse) => void;
  /** Makes /readyz answer 503 so a load balancer stops sending new requests. */
  drain: () => void;
  /** Loads what the first request would otherwise wait for (signing keys, key set). */
  warmUp: () => Promise<void>;
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * A Host header as RFC 9110 allows it: a name or IPv4 address, or a bracketed IPv6 address, and
 * an optional port. Fetch-API adapters build the request URL as `http://${host}${path}`, so a Host
 * holding "/", "?" or "#" would move the path they see away from the one routed here.
 */
const WELL_FORMED_HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Well formed, and an authority the adapters' URL parser accepts: not `localhost:99999`, `[1.2.3.4]` or `999.1.1.1`. */
const isValidHost = (host: string) => WELL_FORMED_HOST.test(host) && URL.canParse(`http://${host}`);

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(body));
}

function sendNotFound(response: ServerResponse, hint: string) {
  sendJson(response, 404, { error: 'not_found', message: hint });
}

/**
 * Refuses bodies over `maxBytes` before anything reads them: 413 when Content-Length says so,
 * 411 when a body comes without a length (chunked), so no request can stream past the limit.
 */
function refuseOversizedBody(request: IncomingMessage, response: ServerResponse, maxBytes: number): boolean {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return false;
  const length = request.headers['content-length'];
  if (length === undefined) {
    if (request.headers['transfer-encoding'] === undefined) return false;
    sendJson(response, 411, { error: 'length_required', message: 'Send a Content-Length header.' });
  } else if (Number(length) > maxBytes) {
    sendJson(response, 413, { error: 'payload_too_large', message: `The request body may be at most ${maxBytes} bytes.` });
  } else {
    return false;
  }
  response.once('finish', () => request.destroy());
  return true;
}

/**
 * /api/auth uses cookies, so it grants CORS (with credentials) only to TRUSTED_ORIGINS — never
 * to an arbitrary origin. Returns true when it answered a preflight.
 */
function handleAuthCors(request: IncomingMessage, response: ServerResponse, trustedOrigins: Set<string>): boolean {
  const origin = request.headers.origin;
  response.setHeader('Vary', 'Origin');
  if (!origin || !trustedOrigins.has(origin)) {
    if (request.method !== 'OPTIONS') return false;
    response.writeHead(204).end(); // a preflight from anyone else gets no CORS grant
    return true;
  }
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Access-Control-Allow-Credentials', 'true');
  response.setHeader('Access-Control-Expose-Headers', 'set-auth-token, set-auth-jwt, retry-after');
  if (request.method !== 'OPTIONS') return false;
  response.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'content-type, authorization',
    'Access-Control-Max-Age': '600',
  });
  response.end();
  return true;
}

/** Sign-in and sign-up also take an HTML form's encoding; every other route only JSON (as Better Auth decides). */
const FORM_ROUTES = new Set<AuthRouteName>(['/sign-in/email', '/sign-up/email']);

/**
 * Better Auth's limiter counts a request before its origin, content-type and session checks
 * refuse it, so any web page (or anyone behind the same NAT) could spend the per-IP limits of
 * everyone sharing that address with requests that can never succeed. Those are refused here,
 * uncounted, as Better Auth would refuse them: 403 when the browser says the request comes from
 * another site or an origin that is not trusted (a browser sends nothing else without a CORS
 * grant, which only trusted origins get), 415 for a body Better Auth does not read, 401 on a
 * route that needs a session when the request carries no session cookie and no bearer token.
 */
function refusalBeforeCounting(request: IncomingMessage, route: AuthRouteName, trustedOrigins: Set<string>): [number, unknown] | null {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if (origin === undefined || !trustedOrigins.has(origin)) {
    // Better Auth accepts "null" from the same origin (privacy modes send it).
    const foreignOrigin = origin !== undefined && !(origin === 'null' && site === 'same-origin');
    if (site === 'cross-site' || foreignOrigin) return [403, { code: 'INVALID_ORIGIN', message: 'Invalid origin' }];
  }
  const length = request.headers['content-length'];
  if (request.method === 'POST' && length !== undefined && length !== '0') {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && !(type === 'application/x-www-form-urlencoded' && FORM_ROUTES.has(route))) {
      return [415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json.' }];
    }
  }
  if (ENABLED_AUTH_ROUTES[route].requiresSession && !carriesSessionCredentials(request.headers)) return [401, NOT_SIGNED_IN];
  return null;
}

/** The GraphiQL page may carry a bearer token: never cache it, never frame it, never leak its URL. */
function setGraphiQLPageHeaders(response: ServerResponse) {
  for (const [name, value] of Object.entries(HTML_SECURITY_HEADERS)) response.setHeader(name, value);
  response.setHeader('Content-Security-Policy', GRAPHIQL_CONTENT_SECURITY_POLICY);
  response.setHeader('Cache-Control', 'no-store');
}

/**
 * One request listener per role: `all` serves everything; `auth` serves Better Auth and the
 * web app; `api` serves only GraphQL and verifies tokens through AUTH_JWKS_URL.
 */
export function createApp({ config, db }: AppOptions): App {
  const clientIp = clientIpResolver(config.trustedProxies);
  const liveness = createViewerLiveness({ findSession: batchedSessionLookup(db) });
  const rateLimitStore = createRateLimitStore(db, config.signInFailuresPerAccount);
  const trustedOrigins = new Set(config.trustedOrigins);
  const servesAuth = config.role !== 'api';
  const servesApi = config.role !== 'auth';
  if (servesAuth && !config.authSecret) throw new Error('the auth secret is resolved once at start-up (server/main.ts) and must be in config.authSecret');
  const auth = servesAuth ? createAuth({ config, db, secret: config.authSecret!, rateLimitStore }) : undefined;
  const keySet = reloadingKeySet(
    config.authJwksUrl || !auth
      ? remoteKeySetLoader(config.authJwksUrl!)
      : async () => {
          const { keys } = await auth.api.getJwks();
          return { keys };
        },
  );
  const verifyToken = createTokenVerifier({
    getKey: keySet,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    cacheSize: config.tokenCacheSize,
  });
  const taskEvents = servesApi ? taskEventBusFor(config) : undefined;
  const graphql = taskEvents
    ? createGraphQLServer({
        verifyToken,
        liveness,
        db,
        databaseProvider: config.databaseProvider,
        limits: config.limits,
        clientIp,
        graphiqlAssets: loadGraphiQLAssets(),
        taskEvents,
        subscriptions: config.subscriptions,
        jit: config.graphqlJit,
        // Minting here counts against the same per-IP /token limit and logs the same event as /api/auth/token.
        tokenForGraphiQL: async (request, ip) => {
          const cookie = request.headers.get('cookie') ?? undefined;
          // Another site sending its visitors here (a top-level navigation carries their cookie)
          // gets no token minted, so it cannot spend their /token limit either; nor does a page
          // load without a session cookie.
          if (!cookie || !carriesSessionCredentials({ cookie }) || !auth || request.headers.get('sec-fetch-site') === 'cross-site') return null;
          const tokenLimit = ENABLED_AUTH_ROUTES['/token'].rateLimit;
          // The key Better Auth's limiter gives /api/auth/token: an IPv6 client is counted per /64.
          if (config.authRateLimit && tokenLimit && !(await rateLimitStore.consume(createRateLimitKey(normalizeIP(ip), '/token'), tokenLimit)).allowed) {
            logAuthEvent('rate_limited', { ip, path: '/graphql (GraphiQL token)' });
            return null;
          }
          // Better Auth's after-hook logs the mint (token.minted or token.refused) with the user and this IP.
          const minted = await auth.api.getToken({ headers: new Headers({ cookie, [CLIENT_IP_HEADER]: ip }) }).catch(() => null);
          return minted?.token ?? null;
        },
      })
    : undefined;
  const serveGraphiQLAsset = graphql ? createGraphiQLAssetHandler() : undefined;
  const serveGraphQL = graphql;
  const authHandler = auth ? createAuthHandler(auth.handler, clientIp, pathOf) : undefined;
  const serveClient = servesAuth ? createStaticHandler(config.clientDistDir) : undefined;
  let draining = false;

  async function keysReady(): Promise<boolean> {
    try {
      if (auth && !config.authJwksUrl) return (await auth.api.getJwks()).keys.length > 0;
      if (!keySet.isLoaded()) await keySet.reload();
      return true;
    } catch {
      return false;
    }
  }

  async function readiness(response: ServerResponse) {
    const [database, keys] = await Promise.all([isDatabaseReachable(db), servesApi || auth ? keysReady() : true]);
    const ready = !draining && database && keys;
    sendJson(response, ready ? 200 : 503, {
      status: ready ? 'ready' : draining ? 'draining' : 'unavailable',
      role: config.role,
      checks: { database: database ? 'ok' : 'unreachable', keys: keys ? 'ok' : 'unavailable' },
    });
  }

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const host = request.headers.host;
    if (host !== undefined && !isValidHost(host)) return sendJson(response, 400, { error: 'bad_request', message: 'Malformed Host header.' });
    const path = pathOf(request);
    // While draining, finish this request but close the connection so the client reconnects elsewhere.
    if (draining) response.setHeader('Connection', 'close');
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok', role: config.role });
    if (path === '/readyz') return void readiness(response);
    if (path === '/graphql') {
      if (refuseOversizedBody(request, response, config.limits.maxBodyBytes)) return;
      if (!serveGraphQL) return sendNotFound(response, 'This is an auth node (ROLE=auth): GraphQL is served by the API nodes.');
      if (request.method === 'GET' && request.headers.accept?.includes('text/html')) setGraphiQLPageHeaders(response);
      return void serveGraphQL(request, response);
    }
    if (serveGraphiQLAsset && path.startsWith(GRAPHIQL_ASSETS_PATH)) return serveGraphiQLAsset(request, response);
    if (path.startsWith('/api/auth/')) {
      if (!authHandler) return sendNotFound(response, 'This is an API node (ROLE=api): sign-in and tokens are served by the auth node.');
      // Only enabled routes reach Better Auth (and its rate limiter's database writes).
      const route = authRouteOf(path);
      if (!route) return sendNotFound(response, 'No such auth route.');
      // Sessions and tokens must never sit in a shared cache; the public key set may.
      if (route !== '/jwks') response.setHeader('Cache-Control', 'no-store');
      if (handleAuthCors(request, response, trustedOrigins)) return;
      if (refuseOversizedBody(request, response, config.limits.maxAuthBodyBytes)) return;
      const refusal = ENABLED_AUTH_ROUTES[route].rateLimit ? refusalBeforeCounting(request, route, trustedOrigins) : null;
      // The security log keeps its refused mint, as when Better Auth answered it.
      if (refusal?.[0] === 401 && route === '/token') logAuthEvent('token.refused', { ip: clientIp(request), reason: 'no session cookie or bearer token' });
      if (refusal) return sendJson(response, ...refusal);
      if (ENABLED_AUTH_ROUTES[route].endsSessions) {
        response.once('finish', () => {
          if (response.statusCode < 400) liveness.forgetAll();
        });
      }
      return void authHandler(request, response);
    }
    if (!serveClient) return sendNotFound(response, 'This is an API node (ROLE=api): it serves /graphql only.');
    return serveClient(request, response);
  };

  return {
    handle: observeRequests(handle, { authRoutes: auth ? Object.keys(ENABLED_AUTH_ROUTES) : [], metricsToken: config.metricsToken }),
    drain: () => {
      draining = true;
      // Live streams would hold the process open until the shutdown timeout.
      taskEvents?.endAllStreams();
    },
    warmUp: async () => {
      // Creates the first signing key on a fresh database, and loads the key set.
      if (auth) await auth.api.getJwks();
      await keySet.reload().catch((error: unknown) => log.warn({ err: summarizeError(error, { withMessage: true }) }, 'key set not loaded yet'));
    },
  };
}
