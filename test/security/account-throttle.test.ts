import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.js';
import { useServerWithUser } from '../support/fixtures.js';
import { startServer, type RunningServer } from '../support/server.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';

// OWASP API2:2023 (broken authentication): password guessing spread over many client addresses
// is limited per account (the email), not only per IP.

const WRONG_PASSWORD = 'not the password at all';

interface SignInAnswer {
  status: number;
  retryAfter: string | null;
  body: { code?: string; message?: string };
}

async function signIn(api: ApiClient, email: string, password: string, clientIp?: string): Promise<SignInAnswer> {
  const response = await api.post('/api/auth/sign-in/email', { email, password }, clientIp ? { 'x-forwarded-for': clientIp } : {});
  const text = await response.text();
  let body: SignInAnswer['body'];
  try {
    body = JSON.parse(text) as SignInAnswer['body'];
  } catch {
    throw new Error(`sign-in answered ${response.status} with a body that is not JSON: ${JSON.stringify(text)}`);
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** Wrong guesses at one email, each from its own address (so no per-IP limit is reached). */
async function guessFromManyAddresses(api: ApiClient, email: string, guesses: number, firstOctet = 1): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < guesses; i++) statuses.push((await signIn(api, email, WRONG_PASSWORD, `203.0.113.${firstOctet + i}`)).status);
  return statuses;
}

const authEvents = (log: string) =>
  log
    .split('\n')
    .filter((line) => line.includes('"log":"auth"'))
    .map((line) => JSON.parse(line) as { event: string; userId: string | null; ip: string | null; reason?: string });

describe('per-account failed sign-in budget (defaults: 10 per 15 minutes)', () => {
  // The per-IP limiter stays on, and each guess comes from another client address behind the proxy.
  const { server, api, user } = useServerWithUser({ env: { AUTH_RATE_LIMIT: 'on', TRUST_PROXY: 'loopback' } });

  it('refuses the 11th attempt on one account with 429 and Retry-After, even with the right password from a new address', async () => {
    expect(await guessFromManyAddresses(api, user.email, 10)).toEqual(Array(10).fill(401));
    const refused = await signIn(api, user.email, user.password, '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('TOO_MANY_FAILED_SIGN_INS');
    expect(refused.body.message).toMatch(/too many failed sign-ins for this account.*reset your password/i);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(15 * 60);
    // The same email written differently is the same account.
    expect((await signIn(api, `  ${user.email.toUpperCase()} `, user.password, '198.51.100.8')).status).toBe(429);

    const log = await server.flushedOutput();
    const throttled = authEvents(log).filter((event) => event.event === 'sign_in.throttled');
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(throttled[0]).toMatchObject({ userId: user.id, ip: '198.51.100.7' });
    expect(log).not.toContain(user.password);
    expect(log).not.toContain(WRONG_PASSWORD);
    expect(log).not.toContain(user.email);
  });

  it('answers an email without an account exactly as one with an account', async () => {
    const known = await api.createUser();
    const unknownEmail = `nobody-${randomUUID()}@example.com`;
    expect(await guessFromManyAddresses(api, known.email, 10, 20)).toEqual(Array(10).fill(401));
    expect(await guessFromManyAddresses(api, unknownEmail, 10, 40)).toEqual(Array(10).fill(401));
    const [forKnown, forUnknown] = [
      await signIn(api, known.email, WRONG_PASSWORD, '198.51.100.9'),
      await signIn(api, unknownEmail, WRONG_PASSWORD, '198.51.100.10'),
    ];
    expect(forKnown.status).toBe(429);
    expect(forUnknown.status).toBe(429);
    expect(forUnknown.body).toEqual(forKnown.body);
    // Other accounts are not affected.
    const bystander = await api.createUser();
    expect((await signIn(api, bystander.email, bystander.password, '198.51.100.11')).status).toBe(200);
  });
});

describe('what clears the count, and where it is kept', () => {
  let smtp: SmtpReceiver;
  let server: RunningServer;
  let api: ApiClient;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    // AUTH_RATE_LIMIT=off: the per-account budget is always on; 2 workers share it through the database.
    server = await startServer({
      env: { AUTH_RATE_LIMIT: 'off', WEB_CONCURRENCY: '2', SIGN_IN_FAILURES_PER_ACCOUNT: '3', SIGN_IN_FAILURE_WINDOW: '10m', SMTP_URL: smtp.url },
    });
    api = new ApiClient(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('takes SIGN_IN_FAILURES_PER_ACCOUNT and SIGN_IN_FAILURE_WINDOW from the environment', async () => {
    const user = await api.createUser();
    expect(await guessFromManyAddresses(api, user.email, 3)).toEqual([401, 401, 401]);
    const refused = await signIn(api, user.email, user.password);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(9 * 60);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(10 * 60);
  });

  it('a successful sign-in clears the count', async () => {
    const user = await api.createUser();
    expect(await guessFromManyAddresses(api, user.email, 2)).toEqual([401, 401]);
    expect((await signIn(api, user.email, user.password)).status).toBe(200);
    expect(await guessFromManyAddresses(api, user.email, 3)).toEqual([401, 401, 401]);
    expect((await signIn(api, user.email, user.password)).status).toBe(429);
  });

  it('a completed password reset clears the count', async () => {
    const user = await api.createUser();
    await guessFromManyAddresses(api, user.email, 3);
    expect((await signIn(api, user.email, user.password)).status).toBe(429);

    expect((await api.post('/api/auth/request-password-reset', { email: user.email })).status).toBe(200);
    const mail = await smtp.waitFor(user.email, 20_000);
    const token = /\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(token).toBeDefined();
    const newPassword = 'violet tractor umbrella quartz 93';
    const reset = await api.post('/api/auth/reset-password', { token, newPassword });
    expect(reset.status, await reset.clone().text()).toBe(200);
    expect((await signIn(api, user.email, newPassword)).status).toBe(200);
  });

  it('counts parallel guesses on two workers in one budget: no more than the limit get their password checked', async () => {
    const user = await api.createUser();
    const statuses = await Promise.all(Array.from({ length: 12 }, () => signIn(api, user.email, WRONG_PASSWORD).then((answer) => answer.status)));
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(9);
  });
});
