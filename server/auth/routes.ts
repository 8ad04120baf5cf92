/**
 * The Better Auth routes Taskfort serves, by their route name under /api/auth. Everything else
 * Better Auth (or a plugin) defines answers 404 before Better Auth, the rate limiter or the
 * database see the request: email verification, verify-password, the GET reset-password
 * callback (our mail links straight to the web app's /reset-password page), deletion by
 * mailed token, the HTML error page. A route that checks a password, mints a token, sends
 * mail or writes has a limit.
 *
 * The two reset routes are served only while mail can be sent (betterAuth.ts): without it
 * (production without SMTP_URL) they answer 503 { code: 'MAIL_UNAVAILABLE' }.
 */
export interface AuthRoute {
  /** Requests per IP per window; routes without one are not counted (and write no row). */
  rateLimit?: { window: number; max: number };
  /**
   * Works only for a signed-in caller. A request carrying neither a session cookie nor a bearer
   * token is answered 401 before the per-IP counter (app.ts), so it spends no one's budget.
   */
  requiresSession?: true;
  /**
   * Can end sessions (this one, others, or all of an account's). When it succeeds, this process
   * forgets every cached answer of viewer liveness, so their JWTs are refused here at once
   * (other processes and nodes within the cache's few seconds).
   */
  endsSessions?: true;
}

const routes = {
  '/sign-up/email': { rateLimit: { window: 60, max: 5 } },
  '/sign-in/email': { rateLimit: { window: 60, max: 10 } },
  '/sign-out': { endsSessions: true },
  '/get-session': {},
  '/change-password': { rateLimit: { window: 60, max: 10 }, requiresSession: true, endsSessions: true },
  '/update-user': { rateLimit: { window: 60, max: 30 }, requiresSession: true },
  // The web app mints one per page load and per tab every ~11 minutes; an office or a carrier NAT
  // shares one address, and a mint is one signature.
  '/token': { rateLimit: { window: 60, max: 120 }, requiresSession: true },
  // Per IP; each address also gets at most PASSWORD_RESET_MAILS_PER_HOUR mails (betterAuth.ts).
  '/request-password-reset': { rateLimit: { window: 60, max: 5 } },
  '/reset-password': { rateLimit: { window: 60, max: 10 }, endsSessions: true },
  '/list-sessions': {},
  '/revoke-session': { rateLimit: { window: 60, max: 30 }, requiresSession: true, endsSessions: true },
  '/revoke-sessions': { rateLimit: { window: 60, max: 30 }, requiresSession: true, endsSessions: true },
  '/revoke-other-sessions': { rateLimit: { window: 60, max: 30 }, requiresSession: true, endsSessions: true },
  '/delete-user': { rateLimit: { window: 60, max: 5 }, requiresSession: true, endsSessions: true },
  '/jwks': {},
} satisfies Record<string, AuthRoute>;

export type AuthRouteName = keyof typeof routes;
export const ENABLED_AUTH_ROUTES: Readonly<Record<AuthRouteName, AuthRoute>> = routes;

const AUTH_BASE_PATH = '/api/auth';

/** The route name for a request path (query already removed), or null when it is not an enabled route. */
export function authRouteOf(path: string): AuthRouteName | null {
  if (!path.startsWith(`${AUTH_BASE_PATH}/`)) return null;
  const route = path.slice(AUTH_BASE_PATH.length);
  return Object.hasOwn(ENABLED_AUTH_ROUTES, route) ? (route as AuthRouteName) : null;
}
