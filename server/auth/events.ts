/**
 * The security event log: one JSON line per authentication event on stdout, for a log
 * pipeline to keep. User id and client IP only: never passwords, tokens or request bodies.
 */
export type AuthEvent =
  | 'sign_up'
  | 'sign_up.refused'
  | 'sign_in'
  | 'sign_in.failed'
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

export function logAuthEvent(event: AuthEvent, details: AuthEventDetails = {}): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), log: 'auth', event, userId: details.userId ?? null, ip: details.ip ?? null, ...(details.path ? { path: details.path } : {}), ...(details.reason ? { reason: details.reason } : {}) })}\n`,
  );
}
