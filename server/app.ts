import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { toNodeHandler } from 'better-auth/node';
import { createAuth } from './auth.js';
import { resolveAuthSecret, type Config } from './config.js';
import type { Database } from './db.js';
import { reloadingKeySet, remoteKeySetLoader } from './keySet.js';
import { createStaticHandler } from './static.js';
import { createTokenVerifier } from './viewer.js';
import { createGraphQLServer } from './yoga.js';

export interface AppOptions {
  config: Config;
  db: Database;
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The GraphiQL page may carry a bearer token: never cache it, never frame it, never leak its URL. */
function setGraphiQLPageHeaders(response: ServerResponse) {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Content-Type-Options', 'nosniff');
}

/** One request listener for the whole product: Better Auth, the GraphQL API and the web app. */
export function createApp({ config, db }: AppOptions): RequestListener {
  const auth = createAuth({ config, db, secret: resolveAuthSecret(config) });
  const keySet = reloadingKeySet(
    config.authJwksUrl
      ? remoteKeySetLoader(config.authJwksUrl)
      : async () => {
          const { keys } = await auth.api.getJwks();
          return { keys };
        },
  );
  const verifyToken = createTokenVerifier({ getKey: keySet, issuer: config.jwtIssuer, audience: config.jwtAudience });
  const graphql = createGraphQLServer({
    verifyToken,
    db,
    databaseProvider: config.databaseProvider,
    tokenForGraphiQL: async (request) => {
      const cookie = request.headers.get('cookie');
      if (!cookie) return null;
      const minted = await auth.api.getToken({ headers: new Headers({ cookie }) }).catch(() => null);
      return minted?.token ?? null;
    },
  });
  const authHandler = toNodeHandler(auth);
  const serveClient = createStaticHandler(config.clientDistDir);

  return (request: IncomingMessage, response: ServerResponse) => {
    const path = pathOf(request);
    if (path === '/graphql') {
      if (request.method === 'GET' && request.headers.accept?.includes('text/html')) setGraphiQLPageHeaders(response);
      return graphql(request, response);
    }
    if (path.startsWith('/api/auth/')) return authHandler(request, response);
    return serveClient(request, response);
  };
}
