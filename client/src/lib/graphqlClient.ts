import { Client, fetchExchange, type CombinedError } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { SessionEndedError, type AccessTokenStore } from './accessToken';
import { liveEventOrderExchange } from './liveEventOrder';
import { taskCacheExchange } from './taskCache';

export interface GraphQLClientOptions {
  tokens: AccessTokenStore;
  /** Called when the JWT cannot be renewed because the session is over. */
  onSessionEnded: (error: SessionEndedError) => void;
  url?: string;
  fetch?: typeof fetch;
}

export function isAuthError(error: CombinedError): boolean {
  return error.response?.status === 401 || error.graphQLErrors.some((graphQLError) => graphQLError.extensions?.code === 'UNAUTHENTICATED');
}

/**
 * The urql client for /graphql. It authenticates with `Authorization: Bearer <JWT>` only: cookies
 * are never sent (credentials: 'omit'), the JWT is renewed shortly before it expires and once more
 * when the API answers 401; a refused renewal ends the session.
 */
export function createGraphQLClient({ tokens, onSessionEnded, url = '/graphql', fetch }: GraphQLClientOptions): Client {
  return new Client({
    url,
    preferGetMethod: false,
    fetchOptions: { credentials: 'omit' },
    requestPolicy: 'cache-first',
    // Subscriptions as GraphQL over SSE on /graphql, through the same auth exchange (Bearer JWT).
    fetchSubscriptions: true,
    ...(fetch ? { fetch } : {}),
    exchanges: [
      taskCacheExchange(),
      liveEventOrderExchange,
      authExchange(async (utilities) => ({
        addAuthToOperation(operation) {
          const token = tokens.token;
          return token ? utilities.appendHeaders(operation, { Authorization: `Bearer ${token}` }) : operation;
        },
        willAuthError: () => tokens.needsRenewal(),
        didAuthError: (error) => isAuthError(error),
        async refreshAuth() {
          try {
            await tokens.renew();
          } catch (error) {
            if (error instanceof SessionEndedError) onSessionEnded(error);
            throw error;
          }
        },
      })),
      fetchExchange,
    ],
  });
}
