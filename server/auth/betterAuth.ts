import { betterAuth, type BetterAuthPlugin } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { bearer, jwt } from 'better-auth/plugins';
import { logAuthEvent } from './events.js';
import { libraryLog } from '../log.js';
import type { Config } from '../config.js';
import { isDatabaseReachable, type Database } from '../db/client.js';
import { createRateLimitStore } from './rateLimitStore.js';
import { createPasswordChecker, PasswordCheckUnavailable, type PasswordChecker } from './passwordChecker.js';
import { EMAIL_MAX_LENGTH, nameProblem, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../rules.js';
import { ENABLED_AUTH_ROUTES } from './routes.js';

/** app.ts sets this header from the socket (or a trusted proxy's X-Forwarded-For), overwriting any client value. */
export const CLIENT_IP_HEADER = 'x-taskfort-client-ip';

export interface AuthOptions {
  config: Config;
  db: Database;
  secret: string;
}

type AuthMiddlewareContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];
type RequestBody = Record<string, unknown>;

function refuse(code: string, message: string): never {
  throw new APIError('BAD_REQUEST', { code, message });
}

function bodyOf(ctx: AuthMiddlewareContext): RequestBody {
  const body: unknown = ctx.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) refuse('INVALID_BODY', 'The request body must be a JSON object.');
  return body as RequestBody;
}

/** The product has no avatars: `image` is never client-writable. */
function refuseImage(body: RequestBody) {
  if ('image' in body) refuse('FIELD_NOT_WRITABLE', 'image cannot be set.');
}

/** Trimmed and within NAME_MAX_LENGTH (server/rules.ts), or a 400 INVALID_NAME. */
function validName(name: unknown): string {
  const problem = nameProblem(name);
  if (problem) refuse('INVALID_NAME', problem);
  return (name as string).trim();
}

/**
 * Scores the password (bounded work: see server/rules.ts) when its length is within limits;
 * out-of-range lengths are Better Auth's own check (PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG).
 */
async function enforcePasswordPolicy(checker: PasswordChecker, ctx: AuthMiddlewareContext, password: unknown, userInputs: unknown[]) {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) return;
  let problem: string | null;
  try {
    problem = await checker.problemWith(password, userInputs.filter((input): input is string => typeof input === 'string'));
  } catch (error) {
    if (!(error instanceof PasswordCheckUnavailable)) throw error;
    throw new APIError('SERVICE_UNAVAILABLE', { code: 'PASSWORD_CHECK_BUSY', message: 'The password could not be checked right now; retry shortly.' });
  }
  if (!problem) return;
  if (ctx.path === '/sign-up/email') {
    logAuthEvent('sign_up.refused', { ip: ctx.request?.headers.get(CLIENT_IP_HEADER), reason: 'weak password' });
  }
  throw new APIError('BAD_REQUEST', { message: problem, code: 'PASSWORD_TOO_WEAK' });
}

/**
 * The bearer plugin turns `Authorization: Bearer <signed session token>` into the session cookie,
 * but in its own hook, whose result this hook does not see. Do the same here; Better Auth's
 * session lookup still verifies the token's signature.
 */
function withBearerAsSessionCookie(ctx: AuthMiddlewareContext): Headers | undefined {
  const authorization = ctx.headers?.get('authorization');
  if (!ctx.headers || !authorization || authorization.slice(0, 7).toLowerCase() !== 'bearer ' || ctx.headers.has('cookie')) return ctx.headers;
  const headers = new Headers(ctx.headers);
  headers.set('cookie', `${ctx.context.authCookies.sessionToken.name}=${authorization.slice(7).trim()}`);
  return headers;
}

/**
 * Validates what a client may write, cheap checks first: by the time this runs the route is
 * allowlisted (routes.ts) and rate-limited; a session is required before any password is scored.
 */
const validateRequest = (checker: PasswordChecker) => createAuthMiddleware(async (ctx) => {
  switch (ctx.path) {
    case '/sign-up/email': {
      const body = bodyOf(ctx);
      if (typeof body.email !== 'string' || body.email.length > EMAIL_MAX_LENGTH) {
        refuse('INVALID_EMAIL', `Email must be a string of at most ${EMAIL_MAX_LENGTH} characters.`);
      }
      refuseImage(body);
      const name = validName(body.name);
      await enforcePasswordPolicy(checker, ctx, body.password, [body.email, name]);
      return { context: { body: { ...body, name } } };
    }
    case '/change-password': {
      const body = bodyOf(ctx);
      const session = await getSessionFromCtx({ ...ctx, headers: withBearerAsSessionCookie(ctx) });
      if (!session) throw new APIError('UNAUTHORIZED', { code: 'UNAUTHORIZED', message: 'Sign in first.' });
      await enforcePasswordPolicy(checker, ctx, body.newPassword, [session.user.email, session.user.name]);
      return;
    }
    case '/update-user': {
      const body = bodyOf(ctx);
      refuseImage(body);
      const unknownField = Object.keys(body).find((field) => field !== 'name');
      if (unknownField !== undefined) refuse('FIELD_NOT_WRITABLE', 'Only name can be updated.');
      if (!('name' in body)) return;
      return { context: { body: { ...body, name: validName(body.name) } } };
    }
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
      // Better Auth turns its Origin/CSRF checks off when NODE_ENV=test or TEST is set; production
      // must not depend on those variables being absent, so both checks are pinned on.
      disableOriginCheck: false,
      disableCSRFCheck: false,
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
      // Each enabled route has exactly its own rule, or none (`false`: not counted, no row).
      customRules: Object.fromEntries(Object.entries(ENABLED_AUTH_ROUTES).map(([route, { rateLimit }]) => [route, rateLimit ?? false])),
    },
    hooks: { before: validateRequest(createPasswordChecker()), after: recordAuthEvents },
    plugins: [
      jwt({
        // JWTs are minted only by /api/auth/token (rate-limited, logged as token.minted), never
        // as a side effect of get-session.
        disableSettingJwtHeader: true,
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
