/**
 * The Better Auth routes Taskfort serves, by their route name under /api/auth. Everything else
 * Better Auth (or a plugin) defines answers 404 before Better Auth, the rate limiter or the
 * database see the request: password reset, email verification, verify-password, account
 * deletion, session listing, the HTML error page. A later feature (e.g. password reset, once
 * mail exists) adds its route here, with a limit if it checks a password, mints a token or writes.
 */
export interface AuthRoute {
  /** Requests per IP per window; routes without one are not counted (and write no row). */
  rateLimit?: { window: number; max: number };
}

const routes = {
  '/sign-up/email': { rateLimit: { window: 60, max: 5 } },
  '/sign-in/email': { rateLimit: { window: 60, max: 10 } },
  '/sign-out': {},
  '/get-session': {},
  '/change-password': { rateLimit: { window: 60, max: 10 } },
  '/update-user': { rateLimit: { window: 60, max: 30 } },
  '/token': { rateLimit: { window: 60, max: 30 } },
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
