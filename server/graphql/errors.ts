import { GraphQLError } from 'graphql';

/** Error codes every client can rely on, in `extensions.code`. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'QUERY_TOO_COMPLEX'
  | 'TASK_LIMIT_REACHED'
  | 'SERVICE_UNAVAILABLE'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'RATE_LIMITED'
  | 'NOT_ACCEPTABLE';

const statusOf: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  // A storage quota, as Google Drive's storageQuotaExceeded: refused until the user deletes some.
  TASK_LIMIT_REACHED: 403,
  SERVICE_UNAVAILABLE: 503,
  TOO_MANY_SUBSCRIPTIONS: 429,
  RATE_LIMITED: 429,
  NOT_ACCEPTABLE: 406,
};

export function apiError(code: ErrorCode, message: string, extra: { headers?: Record<string, string>; field?: string } = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code,
      ...(extra.field ? { field: extra.field } : {}),
      // Yoga turns extensions.http into the response status/headers and strips it from the body.
      http: { status: statusOf[code], ...(extra.headers ? { headers: extra.headers } : {}) },
    },
  });
}

export const missingTokenError = () =>
  apiError('UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <JWT>.', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });

export const invalidTokenError = (reason: string) =>
  apiError('UNAUTHENTICATED', `Invalid bearer token: ${reason}.`, {
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });

export const forbiddenError = (message = 'You do not have access to this resource.') => apiError('FORBIDDEN', message);

export const taskNotFoundError = (id: string) => apiError('NOT_FOUND', `No task with id "${id}".`);

export const serviceUnavailableError = (what = 'The database') =>
  apiError('SERVICE_UNAVAILABLE', `${what} is unavailable right now; retry shortly.`, { headers: { 'Retry-After': '1' } });

/** A valid JWT whose account (or session) is gone: refused like any token that no longer works. */
export const accountGoneError = () => invalidTokenError('the account no longer exists');
