import { betterAuth, type BetterAuthPlugin } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { getSessionCookie } from 'better-auth/cookies';
import { bearer, jwt } from 'better-auth/plugins';
import { logAuthEvent } from './events.js';
import { libraryLog } from '../log.js';
import { resolve } from 'node:path';
import { localDataDir, type Config } from '../config.js';
import { isDatabaseReachable, type Database } from '../db/client.js';
import { createRateLimitStore, normalizeEmail, passwordResetMailKey, type RateLimitStore } from './rateLimitStore.js';
import { createPasswordChecker, PasswordCheckUnavailable, type PasswordChecker } from './passwordChecker.js';
import { EMAIL_MAX_LENGTH, nameProblem, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../rules.js';
import { ENABLED_AUTH_ROUTES } from './routes.js';
import { log } from '../log.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import { passwordResetMessage } from '../mail/messages.js';
import { cancelResetLinks } from './resetLinks.js';

/** app.ts sets this header from the socket (or a trusted proxy's X-Forwarded-For), overwriting any client value. */
export const CLIENT_IP_HEADER = 'x-taskfort-client-ip';

/** What Better Auth answers (401) when a route needs a session and the request has none. */
export const NOT_SIGNED_IN = { message: 'Unauthorized', code: 'UNAUTHORIZED' } as const;

/**
 * Whether a request could be signed in at all: it carries Better Auth's session cookie (by any
 * name Better Auth's own getSessionCookie recognises, with or without __Secure-) or a bearer
 * token (the bearer plugin's way in). Nothing is verified here, so this costs no database read:
 * it only sorts out requests that cannot succeed.
 */
export function carriesSessionCredentials({ cookie, authorization }: { cookie?: string; authorization?: string }): boolean {
  if (authorization !== undefined && /^bearer\s+\S/i.test(authorization)) return true;
  return cookie !== undefined && getSessionCookie(new Headers({ cookie })) !== null;
}

/** The client IP app.ts put on the request; a server-side call (the GraphiQL mint) passes it in its headers. */
const clientIpOf = (ctx: { request?: Request; headers?: Headers }) => (ctx.request?.headers ?? ctx.headers)?.get(CLIENT_IP_HEADER);

/** Whose session a sign-out request ends, noted before Better Auth deletes it. */
const signingOut = new WeakMap<Request, string>();

export interface AuthOptions {
  config: Config;
  db: Database;
  secret: string;
  /**
   * The per-IP and per-account counters; app.ts passes the one it also counts GraphiQL's token
   * prefill in, so both share one store (and one pruning timer).
   */
  rateLimitStore?: RateLimitStore;
  /** Defaults to the SMTP_URL mailer (config.mail). */
  mailer?: Mailer;
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
    problem = await checker.problemWith(
      password,
      userInputs.filter((input): input is string => typeof input === 'string'),
    );
  } catch (error) {
    if (!(error instanceof PasswordCheckUnavailable)) throw error;
    throw new APIError('SERVICE_UNAVAILABLE', { code: 'PASSWORD_CHECK_BUSY', message: 'The password could not be checked right now; retry shortly.' });
  }
  if (!problem) return;
  if (ctx.path === '/sign-up/email') {
    logAuthEvent('sign_up.refused', { ip: clientIpOf(ctx), reason: 'weak password' });
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

function refuseResetToken(ctx: AuthMiddlewareContext, reason: string): never {
  logAuthEvent('reset.refused', { ip: clientIpOf(ctx), reason });
  throw new APIError('BAD_REQUEST', { code: 'INVALID_TOKEN', message: 'This reset link has expired or was already used.' });
}

/**
 * Counts the attempt against the email's failure budget (rateLimitStore.ts) before Better Auth
 * checks the password; over the budget the attempt is refused without checking it, whether or
 * not the email has an account, so the answer says nothing about which addresses exist.
 */
async function throttleSignInPerAccount(ctx: AuthMiddlewareContext, rateLimitStore: RateLimitStore) {
  const { email } = bodyOf(ctx);
  if (typeof email !== 'string') return; // Better Auth's own validation answers 400
  const attempt = await rateLimitStore.countSignInAttempt(email);
  if (attempt.allowed) return;
  const retryAfter = attempt.retryAfter ?? 60;
  // The log names the account (never the email or password), so an attack on it can be seen.
  const account = await ctx.context.internalAdapter.findUserByEmail(normalizeEmail(email)).catch(() => null);
  logAuthEvent('sign_in.throttled', {
    userId: account?.user.id ?? null,
    ip: clientIpOf(ctx),
    reason: 'too many failed sign-ins for this account',
  });
  const minutes = Math.ceil(retryAfter / 60);
  throw new APIError(
    'TOO_MANY_REQUESTS',
    {
      code: 'TOO_MANY_FAILED_SIGN_INS',
      message: `Too many failed sign-ins for this account. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset your password.`,
    },
    { 'Retry-After': String(retryAfter) },
  );
}

/**
 * Validates what a client may write, cheap checks first: by the time this runs the route is
 * allowlisted (routes.ts) and rate-limited; a session (or a live reset token) is required before
 * any password is scored.
 */
const validateRequest = (checker: PasswordChecker, mailer: Mailer, rateLimitStore: RateLimitStore) =>
  createAuthMiddleware(async (ctx) => {
    switch (ctx.path) {
      case '/sign-in/email':
        return throttleSignInPerAccount(ctx, rateLimitStore);
      case '/request-password-reset':
      case '/reset-password': {
        // Production without SMTP_URL: say so (the web app shows it) rather than drop the mail.
        if (!mailer.available) {
          throw new APIError('SERVICE_UNAVAILABLE', { code: 'MAIL_UNAVAILABLE', message: 'Password reset is unavailable: this server cannot send mail.' });
        }
        if (ctx.path === '/request-password-reset') return;
        const body = bodyOf(ctx);
        if (typeof body.token !== 'string' || body.token === '' || body.token.length > 100) refuseResetToken(ctx, 'malformed token');
        // Only a live token gets its password scored, against that account's own email and name.
        const verification = await ctx.context.internalAdapter.findVerificationValue(`reset-password:${body.token}`);
        if (!verification || verification.expiresAt < new Date()) refuseResetToken(ctx, 'unknown or expired token');
        const user = await ctx.context.internalAdapter.findUserById(verification.value);
        if (!user) refuseResetToken(ctx, 'account gone');
        await enforcePasswordPolicy(checker, ctx, body.newPassword, [user.email, user.name]);
        return;
      }
      case '/delete-user': {
        const body = bodyOf(ctx);
        // Deletion is confirmed by the password, never by session freshness or a mailed token.
        if ('token' in body || 'callbackURL' in body) refuse('FIELD_NOT_WRITABLE', 'Only password can be sent.');
        if (typeof body.password !== 'string' || body.password === '') refuse('PASSWORD_REQUIRED', 'Confirm with your password.');
        return;
      }
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
      case '/sign-out': {
        // The session is gone by the time the after-hook logs sign_out: note whose it was.
        const session = await getSessionFromCtx({ ...ctx, headers: withBearerAsSessionCookie(ctx) }).catch(() => null);
        if (session && ctx.request) signingOut.set(ctx.request, session.user.id);
        return;
      }
      case '/change-password': {
        const body = bodyOf(ctx);
        const session = await getSessionFromCtx({ ...ctx, headers: withBearerAsSessionCookie(ctx) });
        if (!session) throw new APIError('UNAUTHORIZED', { ...NOT_SIGNED_IN });
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

type AuthEventName = Parameters<typeof logAuthEvent>[0];
// reset.completed, reset.throttled and account.deleted are logged where the user id is known (createAuth).
const EVENTS_BY_PATH: Record<string, { ok?: AuthEventName; failed?: AuthEventName }> = {
  '/sign-up/email': { ok: 'sign_up', failed: 'sign_up.refused' },
  '/sign-in/email': { ok: 'sign_in', failed: 'sign_in.failed' },
  '/sign-out': { ok: 'sign_out', failed: 'sign_out' },
  '/token': { ok: 'token.minted', failed: 'token.refused' },
  '/request-password-reset': { ok: 'reset.requested' },
  '/reset-password': { failed: 'reset.refused' },
  '/change-password': { ok: 'password.changed' },
  '/revoke-session': { ok: 'sessions.revoked' },
  '/revoke-sessions': { ok: 'sessions.revoked' },
  '/revoke-other-sessions': { ok: 'sessions.revoked' },
};

/**
 * After every request: a changed password cancels the mailed reset links, a successful sign-in
 * clears the account's failed sign-ins, and the outcome goes to the security log.
 */
const afterRequest = (db: Database, rateLimitStore: RateLimitStore) =>
  createAuthMiddleware(async (ctx) => {
    const returned = ctx.context.returned;
    const failed = returned instanceof APIError || returned instanceof Error;
    const userId = ctx.context.newSession?.user.id ?? ctx.context.session?.user.id ?? (ctx.request && signingOut.get(ctx.request)) ?? null;
    if (ctx.path === '/change-password' && !failed && userId) await cancelResetLinks(db, userId);
    const signedInEmail = ctx.context.newSession?.user.email;
    if (ctx.path === '/sign-in/email' && !failed && signedInEmail) await rateLimitStore.forgetSignInFailures(signedInEmail);
    const events = EVENTS_BY_PATH[ctx.path];
    const event = failed ? events?.failed : events?.ok;
    if (!event) return;
    logAuthEvent(event, {
      userId,
      ip: clientIpOf(ctx),
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

export function createAuth({
  config,
  db,
  secret,
  rateLimitStore = createRateLimitStore(db, config.signInFailuresPerAccount),
  mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    isProduction: config.isProduction,
    outboxDir: resolve(localDataDir(config), 'outbox'),
    log,
  }),
}: AuthOptions) {
  /**
   * Returns at once, whether or not the address has an account and whatever SMTP does: the
   * per-address count and the mail run in the background. Over the limit nothing is sent and
   * the client gets the usual answer.
   */
  const mailPasswordReset = (user: { id: string; email: string }, token: string) => {
    void (async () => {
      if (!(await rateLimitStore.mayMailPasswordReset(user.id))) return logAuthEvent('reset.throttled', { userId: user.id });
      // Our own link to the web app's page (not Better Auth's GET callback, which is not served).
      const url = `${config.baseUrl}/reset-password?token=${encodeURIComponent(token)}`;
      mailer.send(passwordResetMessage({ to: user.email, url, validForSeconds: config.mail.passwordResetTokenTtl }));
    })().catch((error: unknown) =>
      log.error(
        { log: 'mail', event: 'mail.failed', reason: error instanceof Error ? error.message.split('\n')[0] : 'unknown' },
        'password reset mail not sent',
      ),
    );
  };
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
      resetPasswordTokenExpiresIn: config.mail.passwordResetTokenTtl,
      // A reset ends every session of the account, so every JWT minted from them stops working (viewerLiveness).
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, token }) => mailPasswordReset(user, token),
      onPasswordReset: async ({ user }) => {
        await cancelResetLinks(db, user.id);
        // The account holder proved the mailbox and chose a new password: let them sign in at once.
        await rateLimitStore.forgetSignInFailures(user.email);
        logAuthEvent('reset.completed', { userId: user.id });
      },
    },
    user: {
      // Password-confirmed (validateRequest). Better Auth deletes sessions, accounts and the user in
      // three separate statements; here the whole account goes in one transaction first — the user
      // row (sessions, accounts and tasks follow by FK cascade) and the rows keyed by the user id
      // without a foreign key (unused reset tokens, the reset mail counter) — so a failure part-way
      // leaves the account whole, never a user who cannot sign in. Better Auth's own deletes then find nothing.
      deleteUser: {
        enabled: true,
        beforeDelete: async (user) => {
          await db.$transaction([
            cancelResetLinks(db, user.id),
            db.rateLimit.deleteMany({ where: { key: passwordResetMailKey(user.id) } }),
            db.user.deleteMany({ where: { id: user.id } }),
          ]);
        },
        afterDelete: async (user) => logAuthEvent('account.deleted', { userId: user.id }),
      },
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
      customStorage: rateLimitStore,
      window: 60,
      max: 100,
      // Each enabled route has exactly its own rule, or none (`false`: not counted, no row).
      customRules: Object.fromEntries(Object.entries(ENABLED_AUTH_ROUTES).map(([route, { rateLimit }]) => [route, rateLimit ?? false])),
    },
    hooks: { before: validateRequest(createPasswordChecker(), mailer, rateLimitStore), after: afterRequest(db, rateLimitStore) },
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
          // sid: the session the token was minted from; the API refuses it once that session ends.
          definePayload: ({ user, session }) => ({ email: user.email, name: user.name, sid: session.id }),
        },
      }),
      bearer({ requireSignature: true }),
      databaseOutageAs503(db),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
