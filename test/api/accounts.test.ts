// Issue 12, server side: password reset by mail (a real SMTP receiver), account management
// (name, password, sessions) and deletion, all through Better Auth's routes on the real server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseProviderOf } from '../../server/config.js';
import { createDatabase, type Database } from '../../server/db/client.js';
import { ApiClient, codesOf } from '../support/client.js';
import { startServer, testDatabaseUrl, type RunningServer } from '../support/server.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';
import { bearer, expectAccepted, expectRefusedWithinBound, sessionOf, signInSession } from './sessionHelpers.js';

const RESET_TTL_SECONDS = 10;
const NEW_PASSWORD = 'violet tractor umbrella quartz 93';

let smtp: SmtpReceiver;
let server: RunningServer;
let api: ApiClient;
let db: Database;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  server = await startServer({
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'Taskfort <no-reply@taskfort.test>', PASSWORD_RESET_TOKEN_TTL: `${RESET_TTL_SECONDS}s` },
    readyTimeoutMs: 180_000,
  });
  api = new ApiClient(server.url);
  const databaseUrl = testDatabaseUrl(server.dataDir);
  db = await createDatabase({ databaseUrl, databaseProvider: databaseProviderOf(databaseUrl) });
}, 240_000);
afterAll(async () => {
  await db?.$disconnect();
  await server?.stop();
  await smtp?.stop();
});

const requestReset = (email: string) => api.post('/api/auth/request-password-reset', { email, redirectTo: `${server.url}/reset-password` });
const resetPassword = (token: string, newPassword = NEW_PASSWORD) => api.post('/api/auth/reset-password', { token, newPassword });

function resetTokenIn(text: string): string {
  const match = new RegExp(`${server.url.replace(/[.]/g, '\\.')}/reset-password\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no reset link in:\n${text}`);
  return match[1]!;
}

async function rowsOf(userId: string) {
  const [users, sessions, accounts, tasks, resetTokens, mailCounters] = await Promise.all([
    db.user.count({ where: { id: userId } }),
    db.session.count({ where: { userId } }),
    db.account.count({ where: { userId } }),
    db.task.count({ where: { userId } }),
    db.verification.count({ where: { value: userId } }),
    db.rateLimit.count({ where: { key: { contains: userId } } }),
  ]);
  return { users, sessions, accounts, tasks, resetTokens, mailCounters };
}

describe('password reset by mail', () => {
  it('mails a link to the web app page that works once, ends every session and refuses their JWTs within 5 s', async () => {
    const user = await api.createUser();
    const other = await signInSession(api, user.email, user.password);
    await expectAccepted(api, user.jwt);
    await expectAccepted(api, other.jwt);

    const requested = await requestReset(user.email);
    expect(requested.status).toBe(200);
    const mail = await smtp.waitFor(user.email, 20_000);
    expect(mail.subject).toBe('Reset your Taskfort password');
    const token = resetTokenIn(mail.text);
    expect(mail.html).toContain(`/reset-password?token=${token}`);
    expect(mail.text).toContain(`expires in ${RESET_TTL_SECONDS} seconds`);

    const reset = await resetPassword(token);
    const endedAt = Date.now();
    expect(reset.status, await reset.clone().text()).toBe(200);
    // Single use.
    const reused = await resetPassword(token, 'another fine passphrase 2024');
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ code: 'INVALID_TOKEN' });

    expect((await api.signIn({ email: user.email, password: user.password })).status).toBe(401);
    expect((await api.signIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);
    expect(await sessionOf(api, user.sessionToken)).toBeNull();
    expect(await sessionOf(api, other.sessionToken)).toBeNull();
    await expectRefusedWithinBound(api, user.jwt, endedAt);
    await expectRefusedWithinBound(api, other.jwt, endedAt);
    expect(await server.flushedOutput()).toContain('"event":"reset.completed"');
  });

  it('refuses an expired link with INVALID_TOKEN and keeps the password', async () => {
    const user = await api.createUser();
    expect((await requestReset(user.email)).status).toBe(200);
    const token = resetTokenIn((await smtp.waitFor(user.email, 20_000)).text);
    await new Promise((resolve) => setTimeout(resolve, (RESET_TTL_SECONDS + 1) * 1000));
    const reset = await resetPassword(token);
    expect(reset.status).toBe(400);
    expect(await reset.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await api.signIn({ email: user.email, password: user.password })).status).toBe(200);
  }, 90_000);

  it('refuses a made-up token before scoring the password, and a weak new password with a live token', async () => {
    const unknown = await resetPassword('not-a-real-token-000000');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    const user = await api.createUser();
    await requestReset(user.email);
    const token = resetTokenIn((await smtp.waitFor(user.email, 20_000)).text);
    const weak = await resetPassword(token, 'password1234');
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ code: 'PASSWORD_TOO_WEAK' });
    // The token was not used up by the refused attempt.
    expect((await resetPassword(token)).status).toBe(200);
  });

  it('answers an unknown address exactly as a known one, and mails nobody', async () => {
    const user = await api.createUser();
    const known = await requestReset(user.email);
    const nobody = `nobody-${randomUUID()}@example.com`;
    const unknown = await requestReset(nobody);
    expect(unknown.status).toBe(known.status);
    expect(await unknown.text()).toBe(await known.text());
    await smtp.waitFor(user.email, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.countTo(nobody)).toBe(0);
  });

  it('sends at most 3 mails per address per hour: the 4th request answers as usual and sends nothing', async () => {
    const user = await api.createUser();
    const responses = [];
    for (let i = 0; i < 4; i++) {
      const response = await requestReset(user.email);
      responses.push({ status: response.status, body: await response.text() });
    }
    expect(new Set(responses.map((r) => JSON.stringify(r))).size).toBe(1);
    for (let i = 0; i < 3; i++) await smtp.waitFor(user.email, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(smtp.countTo(user.email)).toBe(3);
    expect(await server.flushedOutput()).toMatch(new RegExp(`"event":"reset.throttled","userId":"${user.id}"`));
  });

  it('cancels every other mailed link once the password is reset with one of them (FR-013)', async () => {
    const user = await api.createUser();
    expect((await requestReset(user.email)).status).toBe(200);
    const first = resetTokenIn((await smtp.waitFor(user.email, 20_000)).text);
    expect((await requestReset(user.email)).status).toBe(200);
    const second = resetTokenIn((await smtp.waitFor(user.email, 20_000)).text);
    expect(second).not.toBe(first);

    expect((await resetPassword(first)).status).toBe(200);
    const sibling = await resetPassword(second, 'attacker chosen passphrase 7781 lynx');
    expect(sibling.status).toBe(400);
    expect(await sibling.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await api.signIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);
    expect((await rowsOf(user.id)).resetTokens).toBe(0);
  });

  for (const revokeOtherSessions of [true, false]) {
    it(`cancels every mailed link when the password is changed (revokeOtherSessions: ${revokeOtherSessions}) (FR-013)`, async () => {
      const user = await api.createUser();
      expect((await requestReset(user.email)).status).toBe(200);
      const token = resetTokenIn((await smtp.waitFor(user.email, 20_000)).text);
      const changed = await api.post(
        '/api/auth/change-password',
        { currentPassword: user.password, newPassword: NEW_PASSWORD, revokeOtherSessions },
        bearer(user.sessionToken),
      );
      expect(changed.status, await changed.clone().text()).toBe(200);
      const reset = await resetPassword(token, 'attacker chosen passphrase 7781 lynx');
      expect(reset.status).toBe(400);
      expect(await reset.json()).toMatchObject({ code: 'INVALID_TOKEN' });
      expect((await api.signIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);
      expect((await rowsOf(user.id)).resetTokens).toBe(0);
    });
  }

  it('leaves the display name, chosen by whoever signed up, out of the mail', async () => {
    const name = 'customer. Your account is locked - verify now at https://taskfort-support.example/login';
    const user = await api.createUser({ name });
    expect((await requestReset(user.email)).status).toBe(200);
    const mail = await smtp.waitFor(user.email, 20_000);
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toContain('taskfort-support.example');
      expect(part).not.toContain('customer.');
    }
    expect(mail.text).toMatch(/^Hello,\n/);
    resetTokenIn(mail.text);
  });
});

describe('account management', () => {
  it('changes the name (trimmed; only the name is writable)', async () => {
    const user = await api.createUser();
    const updated = await api.post('/api/auth/update-user', { name: '  Ada Lovelace  ' }, bearer(user.sessionToken));
    expect(updated.status).toBe(200);
    expect((await sessionOf(api, user.sessionToken))!.user.name).toBe('Ada Lovelace');
    const refused = await api.post('/api/auth/update-user', { email: 'other@example.com' }, bearer(user.sessionToken));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'FIELD_NOT_WRITABLE' });
  });

  it('changes the password with other devices signed out: their JWTs stop working within 5 s, this one keeps working', async () => {
    const user = await api.createUser();
    const other = await signInSession(api, user.email, user.password);
    await expectAccepted(api, other.jwt);
    const wrong = await api.post(
      '/api/auth/change-password',
      { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD, revokeOtherSessions: true },
      bearer(user.sessionToken),
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: 'INVALID_PASSWORD' });
    const changed = await api.post(
      '/api/auth/change-password',
      { currentPassword: user.password, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
      bearer(user.sessionToken),
    );
    const endedAt = Date.now();
    expect(changed.status, await changed.clone().text()).toBe(200);
    expect(await sessionOf(api, other.sessionToken)).toBeNull();
    await expectRefusedWithinBound(api, other.jwt, endedAt);
    // Better Auth replaces this device's session too: the new one it returns mints working JWTs.
    const newSessionToken = changed.headers.get('set-auth-token') ?? ((await changed.json()) as { token: string }).token;
    await expectAccepted(api, await api.jwtFor(newSessionToken));
    expect((await api.signIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('lists sessions and revokes one, then every other: their JWTs stop working within 5 s', async () => {
    const user = await api.createUser();
    const phone = await signInSession(api, user.email, user.password);
    const laptop = await signInSession(api, user.email, user.password);
    const listed = (await (await fetch(`${server.url}/api/auth/list-sessions`, { headers: bearer(user.sessionToken) })).json()) as {
      id: string;
      token: string;
      userAgent: string | null;
    }[];
    expect(listed).toHaveLength(3);
    const phoneSessionId = (await sessionOf(api, phone.sessionToken))!.session.id;
    const phoneRow = listed.find((session) => session.id === phoneSessionId)!;
    await expectAccepted(api, phone.jwt);
    await expectAccepted(api, laptop.jwt);

    const revoked = await api.post('/api/auth/revoke-session', { token: phoneRow.token }, bearer(user.sessionToken));
    const phoneEndedAt = Date.now();
    expect(revoked.status).toBe(200);
    await expectRefusedWithinBound(api, phone.jwt, phoneEndedAt);
    await expectAccepted(api, laptop.jwt);

    const others = await api.post('/api/auth/revoke-other-sessions', {}, bearer(user.sessionToken));
    const othersEndedAt = Date.now();
    expect(others.status).toBe(200);
    await expectRefusedWithinBound(api, laptop.jwt, othersEndedAt);
    await expectAccepted(api, user.jwt);
    const remaining = (await (await fetch(`${server.url}/api/auth/list-sessions`, { headers: bearer(user.sessionToken) })).json()) as unknown[];
    expect(remaining).toHaveLength(1);
  });

  it('ends the session on sign-out: its JWT stops working within 5 s', async () => {
    const user = await api.createUser();
    await expectAccepted(api, user.jwt);
    const signedOut = await api.post('/api/auth/sign-out', {}, bearer(user.sessionToken));
    const endedAt = Date.now();
    expect(signedOut.status).toBe(200);
    await expectRefusedWithinBound(api, user.jwt, endedAt);
  });
});

describe('account deletion', () => {
  it('requires the password, then deletes every row of the user; their JWT is UNAUTHENTICATED and writes nothing', async () => {
    const user = await api.createUser();
    const other = await signInSession(api, user.email, user.password);
    for (let i = 0; i < 3; i++) {
      const created = await api.graphql(
        'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }',
        { input: { title: `task ${i}` } },
        { token: user.jwt },
      );
      expect(created.errors).toBeUndefined();
    }
    await requestReset(user.email);
    await smtp.waitFor(user.email, 20_000);
    const bystander = await api.createUser();
    expect(await rowsOf(user.id)).toEqual({ users: 1, sessions: 2, accounts: 1, tasks: 3, resetTokens: 1, mailCounters: 1 });

    const withoutPassword = await api.post('/api/auth/delete-user', {}, bearer(user.sessionToken));
    expect(withoutPassword.status).toBe(400);
    expect(await withoutPassword.json()).toMatchObject({ code: 'PASSWORD_REQUIRED' });
    const wrongPassword = await api.post('/api/auth/delete-user', { password: 'not my password at all' }, bearer(user.sessionToken));
    expect(wrongPassword.status).toBe(400);
    expect(await wrongPassword.json()).toMatchObject({ code: 'INVALID_PASSWORD' });
    expect((await rowsOf(user.id)).users).toBe(1);

    const deleted = await api.post('/api/auth/delete-user', { password: user.password }, bearer(user.sessionToken));
    const endedAt = Date.now();
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    expect(await rowsOf(user.id)).toEqual({ users: 0, sessions: 0, accounts: 0, tasks: 0, resetTokens: 0, mailCounters: 0 });
    expect(await rowsOf(bystander.id)).toMatchObject({ users: 1, sessions: 1, accounts: 1 });
    expect(await server.flushedOutput()).toMatch(new RegExp(`"event":"account.deleted","userId":"${user.id}"`));

    await expectRefusedWithinBound(api, user.jwt, endedAt);
    await expectRefusedWithinBound(api, other.jwt, endedAt);
    const write = await api.graphql(
      'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }',
      { input: { title: 'ghost' } },
      { token: user.jwt },
    );
    expect(codesOf(write)).toEqual(['UNAUTHENTICATED']);
    expect(await db.task.count({ where: { userId: user.id } })).toBe(0);
  });

  it('is one transaction: a deletion that fails part-way leaves the account whole, and it can still sign in', async () => {
    const user = await api.createUser();
    const created = await api.graphql('mutation { createTask(input: { title: "kept" }) { id } }', {}, { token: user.jwt });
    expect(created.errors).toBeUndefined();
    const before = await rowsOf(user.id);
    // The database refuses to delete this one user row (a fault injected into the real database).
    const postgres = databaseProviderOf(testDatabaseUrl(server.dataDir)) === 'postgresql';
    const trigger = `refuse_delete_${user.id.replace(/\W/g, '')}`;
    if (postgres) {
      await db.$executeRawUnsafe(
        `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.id = '${user.id}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN OLD; END $$`,
      );
      await db.$executeRawUnsafe(`CREATE TRIGGER ${trigger} BEFORE DELETE ON "user" FOR EACH ROW EXECUTE FUNCTION ${trigger}()`);
    } else {
      await db.$executeRawUnsafe(
        `CREATE TRIGGER ${trigger} BEFORE DELETE ON "user" WHEN OLD.id = '${user.id}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      );
    }
    try {
      const refused = await api.post('/api/auth/delete-user', { password: user.password }, bearer(user.sessionToken));
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(await rowsOf(user.id)).toEqual(before);
      const signedIn = await api.post('/api/auth/sign-in/email', { email: user.email, password: user.password });
      expect(signedIn.status).toBe(200);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER ${trigger}${postgres ? ' ON "user"' : ''}`);
      if (postgres) await db.$executeRawUnsafe(`DROP FUNCTION ${trigger}()`);
    }
    const deleted = await api.post('/api/auth/delete-user', { password: user.password }, bearer(user.sessionToken));
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    expect(await rowsOf(user.id)).toMatchObject({ users: 0, sessions: 0, accounts: 0, tasks: 0 });
  });
});
