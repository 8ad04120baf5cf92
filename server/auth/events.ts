import { log, oneLine } from '../log.js';
import { countAuthEvent } from '../observability/metrics.js';
import { currentRequestFacts, noteRequestUser } from '../observability/requestContext.js';

/**
 * The security event log: one JSON line per authentication event (through the one pino
 * logger, so every value is escaped), for a log pipeline to keep, and a counter per event.
 * User id and client IP only: never passwords, tokens or request bodies.
 */
export type AuthEvent =
  | 'sign_up'
  | 'sign_up.refused'
  | 'sign_in'
  | 'sign_in.failed'
  | 'sign_in.throttled'
  | 'sign_out'
  | 'token.minted'
  | 'token.refused'
  | 'reset.requested'
  | 'reset.throttled'
  | 'reset.completed'
  | 'reset.refused'
  | 'password.changed'
  | 'sessions.revoked'
  | 'account.deleted'
  | 'rate_limited'
  | 'api.unauthenticated'
  | 'api.forbidden';

export interface AuthEventDetails {
  userId?: string | null;
  ip?: string | null;
  path?: string;
  reason?: string;
}

const REFUSALS = new Set<AuthEvent>(['sign_up.refused', 'sign_in.failed', 'sign_in.throttled', 'token.refused', 'rate_limited', 'api.forbidden']);

export function logAuthEvent(event: AuthEvent, details: AuthEventDetails = {}): void {
  countAuthEvent(event);
  noteRequestUser(details.userId);
  const facts = currentRequestFacts();
  log[REFUSALS.has(event) ? 'warn' : 'info']({
    log: 'auth',
    event,
    userId: details.userId ?? null,
    ip: details.ip ?? null,
    ...(details.path ? { path: oneLine(details.path) } : {}),
    ...(details.reason ? { reason: oneLine(details.reason) } : {}),
    ...(facts ? { requestId: facts.requestId } : {}),
  });
}
