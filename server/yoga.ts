import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import type { Context } from './builder.js';
import { maskError } from './maskError.js';
import { schema } from './schema/index.js';
import { viewerFromRequest, type TokenVerifier } from './viewer.js';

export interface GraphQLServerOptions {
  verifyToken: TokenVerifier;
  /**
   * A fresh JWT for the browser session behind a GraphiQL page request, if any. The page then
   * opens with the token in its Headers tab: never in a URL, and the API itself still ignores cookies.
   */
  tokenForGraphiQL?: (request: Request) => Promise<string | null>;
  db: Context['db'];
  databaseProvider: Context['databaseProvider'];
}

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

export function createGraphQLServer({ verifyToken, db, databaseProvider, tokenForGraphiQL }: GraphQLServerOptions) {
  return createYoga<Record<string, unknown>, Context>({
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
    context: async ({ request }) => ({
      viewer: await viewerFromRequest(request, verifyToken),
      db,
      databaseProvider,
    }),
  });
}
