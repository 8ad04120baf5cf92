// Issue 12: production without SMTP_URL cannot send mail, so the reset routes say so (503
// MAIL_UNAVAILABLE, which the web app shows) instead of dropping the mail silently.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let api: ApiClient;

beforeAll(async () => {
  server = await startServer({ env: { NODE_ENV: 'production', SMTP_URL: undefined }, readyTimeoutMs: 180_000 });
  api = new ApiClient(server.url);
}, 240_000);
afterAll(() => server?.stop());

it('warns at start and answers both reset routes with 503 MAIL_UNAVAILABLE; the rest of the account routes work', async () => {
  const output = await server.flushedOutput();
  expect(output).toContain('SMTP_URL is not set: password reset mail is unavailable');
  // BETTER_AUTH_URL is the test server's http:// address: production does not make cookies Secure by itself.
  expect(output.split('\n').filter((line) => line.includes('"level":"warn"') && line.includes('cookies are sent without Secure'))).toHaveLength(1);
  const user = await api.createUser();
  for (const [route, body] of [
    ['/request-password-reset', { email: user.email }],
    ['/reset-password', { token: 'any', newPassword: 'violet tractor umbrella quartz 93' }],
  ] as const) {
    const response = await api.post(`/api/auth${route}`, body);
    expect(response.status, route).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'MAIL_UNAVAILABLE' });
  }
  const sessions = await fetch(`${server.url}/api/auth/list-sessions`, { headers: { authorization: `Bearer ${user.sessionToken}` } });
  expect(sessions.status).toBe(200);
});
