import { jwtClient } from 'better-auth/client/plugins';
import { createAuthClient } from 'better-auth/vue';

/**
 * Better Auth's Vue client for this origin (/api/auth). The session lives in Better Auth's
 * HttpOnly cookie; `authClient.token()` (jwt plugin) turns it into a short-lived JWT for /graphql.
 */
export const authClient = createAuthClient({
  plugins: [jwtClient()],
  // The router guard asks for the session when it needs it; no background polling.
  sessionOptions: { refetchOnWindowFocus: false },
});

export type AuthClient = typeof authClient;
