import { betterAuth, type BetterAuthPlugin } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { bearer, jwt } from 'better-auth/plugins';
import { logAuthEvent } from './events.js';
import { libraryLog } from '../log.js';
import type { Config } from '../config.js';
import { isDatabaseReachable, type Database } from '../db/client.js';
import { createRateLimitStore } from './rateLimitStore.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from './passwordPolicy.js';

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

/** app.ts sets this header from the socket (or a trusted proxy's X-Forwarded-For), overwriting any client value. */
export const CLIENT_IP_HEADER = 'x-taskfort-client-ip';

export interface AuthOptions {
  config: Config;
  db: Database;
  secret: string;
}

const PASSWORD_FIELDS: Record<string, 'password' | 'newPassword'> = {
  '/sign-up/email': 'password',
  '/change-password': 'newPassword',
  '/reset-password': 'newPassword',
};

/** Refuses guessable passwords (zxcvbn-ts) before Better Auth hashes anything. */
const enforcePasswordPolicy = createAuthMiddleware(async (ctx) => {
  const field = PASSWORD_FIELDS[ctx.path];
  if (!field) return;
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  const password = body[field];
  // Length is Better Auth's own check (PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG); only score the rest.
  if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) return;
  const problem = passwordProblem(password, [String(body.email ?? ''), String(body.name ?? '')]);
  if (problem) {
    if (ctx.path === '/sign-up/email') {
      logAuthEvent('sign_up.refused', { ip: ctx.request?.headers.get(CLIENT_IP_HEADER), reason: 'weak password' });
    }
    throw new APIError('BAD_REQUEST', { message: problem, code: 'PASSWORD_TOO_WEAK' });
  }
});

const EVENTS_BY_PATH: Record<string, { ok: Parameters<typeof logAuthEvent>[0]; failed: Parameters<typeof logAuthEvent>[0] }> = {
  '/sign-up/email': { ok: 'sign_up', failed: 'sign_up.refused' },
  '/sign-in/email': { ok: 'sign_in', failed: 'sign_in.failed' },
  '/sign-out': { ok: 'sign_out', failed: 'sign_out' },
  '/token': { ok: 'token.minted', failed: 'token.refused' },
};

const recordAuthEvents = createAuthMiddleware(async (ctx) => {
  const events = EVENTS_BY_PATH[ctx.path];
  if (!events) return;
  const returned = ctx.context.returned;
  const failed = returned instanceof APIError || returned instanceof Error;
  const userId = ctx.context.newSession?.user.id ?? ctx.context.session?.user.id ?? null;
  logAuthEvent(failed ? events.failed : events.ok, {
    userId,
    ip: ctx.request?.headers.get(CLIENT_IP_HEADER),
    ...(failed ? { reason: (returned as Error).message } : {}),
  });
});

/**
 * Better Auth answers 500 when its database calls fail. When the database is what failed,
 * say so: 503 SERVICE_UNAVAILABLE with Retry-After, like the API, and no details.
 */
function databaseOutageAs503(db: Database): BetterAuthPlugin {
  return {
    id: 'taskfort-database-outage',
    async onResponse(response) {
      if (response.status !== 500 || (await isDatabaseReachable(db, 500))) return;
      return {
        response: new Response(JSON.stringify({ code: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable right now; retry shortly.' }), {
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '1' },
        }),
      };
    },
  };
}

export function createAuth({ config, db, secret }: AuthOptions) {
  return betterAuth({
    appName: 'Taskfort',
    baseURL: config.baseUrl,
    basePath: '/api/auth',
    secret,
    // Better Auth's own messages (it quotes callbackURLs and logs Prisma errors) go through pino, one line each.
    // No `level` here: with one set, Better Auth also repeats API errors through its global console logger.
    logger: { log: libraryLog('better-auth') },
    trustedOrigins: config.trustedOrigins,
    database: prismaAdapter(db, { provider: config.databaseProvider }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
    },
    advanced: {
      // The only address Better Auth sees is the one app.ts resolved; X-Forwarded-For from a client is ignored.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    rateLimit: {
      // Every environment, every mode: counters live in the database, shared by all processes and nodes,
      // updated by one atomic statement per request (see rateLimitStore.ts).
      enabled: config.authRateLimit,
      customStorage: createRateLimitStore(db),
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 10 },
        '/sign-up/email': { window: 60, max: 5 },
        '/token': { window: 60, max: 30 },
      },
    },
    hooks: { before: enforcePasswordPolicy, after: recordAuthEvents },
    plugins: [
      jwt({
        jwks: {
          keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' },
          // A new key is made at the first signing after rotationInterval; the old public key
          // stays in the JWKS for gracePeriod (> token lifetime), so no valid token stops verifying.
          rotationInterval: config.jwksRotationInterval,
          gracePeriod: config.jwksGracePeriod,
        },
        jwt: {
          issuer: config.jwtIssuer,
          audience: config.jwtAudience,
          expirationTime: config.jwtExpiresIn,
          // sub, iat, exp, iss and aud are added by the plugin; keep the rest of the user row out.
          definePayload: ({ user }) => ({ email: user.email, name: user.name }),
        },
      }),
      bearer({ requireSignature: true }),
      databaseOutageAs503(db),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
