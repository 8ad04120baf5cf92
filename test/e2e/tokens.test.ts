// How the web app authenticates to /graphql in a real browser: a short-lived JWT in memory, sent
// as Authorization: Bearer, never with cookies, renewed silently; the server mints 10 s JWTs here (short, so the expiry test waits little).
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { addTask, launchBrowser, openPage, shutDown, signUpNewUser, visible, type TestPage } from './support/browser.js';

const JWT_LIFETIME_SECONDS = 10;

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { JWT_EXPIRES_IN: `${JWT_LIFETIME_SECONDS}s` } }), launchBrowser()]);
});

afterAll(() => shutDown(browser, server));

interface GraphQLRequestRecord {
  method: string;
  url: string;
  authorization: string | undefined;
  cookie: string | undefined;
}

/** Records every /graphql request with the headers Chromium really sent (cookies included). */
function recordGraphQLRequests(page: Page) {
  const records: Promise<GraphQLRequestRecord>[] = [];
  page.on('request', (request: Request) => {
    if (new URL(request.url()).pathname !== '/graphql') return;
    records.push(
      request.allHeaders().then((headers) => ({ method: request.method(), url: request.url(), authorization: headers.authorization, cookie: headers.cookie })),
    );
  });
  return () => Promise.all(records);
}

function jwtClaims(authorization: string | undefined): { exp: number; iat: number } {
  const token = authorization?.replace(/^Bearer /, '') ?? '';
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number; iat: number };
}

describe('the web app talks to the API with bearer JWTs only', () => {
  let testPage: TestPage;

  it('sends Authorization: Bearer and no cookie on every /graphql request, and keeps the JWT out of storage and URLs', async () => {
    testPage = await openPage(browser, server.url);
    const { page, context } = testPage;
    const graphqlRequests = recordGraphQLRequests(page);
    await signUpNewUser(page, 'Token Tester');
    await addTask(page, 'First task');
    await page.getByRole('checkbox', { name: 'First task' }).check();
    await page.reload();
    await visible(page.getByRole('checkbox', { name: 'First task' }));

    const cookies = await context.cookies();
    expect(cookies.some((cookie) => cookie.name.includes('session_token'))).toBe(true); // the browser has a session cookie…
    const requests = await graphqlRequests();
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(request.cookie).toBeUndefined(); // …and never sends it to the API
      expect(request.url).toBe(`${server.url}/graphql`);
    }
    const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
    expect(storage).not.toMatch(/eyJ/);
    expect(testPage.problems.errors).toEqual([]);
  });

  it(`keeps working past the ${JWT_LIFETIME_SECONDS} s expiry without a sign-in or a refused request`, async () => {
    const { page } = testPage;
    const graphqlRequests = recordGraphQLRequests(page);
    const tokenRequests: string[] = [];
    page.on('request', (request) => new URL(request.url()).pathname === '/api/auth/token' && tokenRequests.push(request.url()));
    const graphqlStatuses: number[] = [];
    page.on('response', (response) => new URL(response.url()).pathname === '/graphql' && graphqlStatuses.push(response.status()));
    const pathsVisited: string[] = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && pathsVisited.push(new URL(frame.url()).pathname));

    await addTask(page, 'Before expiry');
    await page.waitForTimeout((JWT_LIFETIME_SECONDS + 4) * 1000);
    await addTask(page, 'After expiry');
    await page.getByRole('checkbox', { name: 'Before expiry' }).check();
    await page.getByRole('button', { name: 'Completed' }).click();
    await visible(page.getByRole('checkbox', { name: 'Before expiry' }));
    await page.waitForFunction(() => !document.querySelector('.task--saving'));

    expect(new URL(page.url()).pathname).toBe('/');
    expect(pathsVisited.filter((path) => path.startsWith('/sign-in'))).toEqual([]);
    expect(graphqlStatuses.length).toBeGreaterThanOrEqual(3);
    expect(graphqlStatuses.every((status) => status === 200)).toBe(true);
    expect(tokenRequests.length).toBeGreaterThanOrEqual(1);
    const requests = await graphqlRequests();
    const first = jwtClaims(requests[0]?.authorization);
    const last = jwtClaims(requests.at(-1)?.authorization);
    expect(last.iat).toBeGreaterThan(first.iat); // a renewed token…
    expect(last.exp - last.iat).toBe(JWT_LIFETIME_SECONDS);
    expect(testPage.problems.errors).toEqual([]);
  }, 90_000);

  it('renews the JWT once and retries when the API refuses it', async () => {
    const { page } = testPage;
    await page.getByRole('button', { name: 'All' }).click();
    await page.waitForURL((url) => url.search === '');
    // What the browser sends, in order: the refused request, a renewal, the retry.
    const events: string[] = [];
    page.on('request', (request) => new URL(request.url()).pathname === '/api/auth/token' && events.push('renew'));
    await page.route('**/graphql', async (route) => {
      if (!events.includes('refused')) {
        events.push('refused');
        await route.fulfill({
          status: 401,
          contentType: 'application/graphql-response+json',
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          body: JSON.stringify({ errors: [{ message: 'Invalid bearer token: the token has expired.', extensions: { code: 'UNAUTHENTICATED' } }] }),
        });
      } else {
        events.push(/^Bearer \S+$/.test(route.request().headers().authorization ?? '') ? 'retry with bearer' : 'retry without bearer');
        await route.continue();
      }
    });

    await addTask(page, 'Added across a refused token');
    await page.waitForFunction(() => !document.querySelector('.task--saving'));
    // (A renewal may also happen before the first attempt when the short-lived token is close to expiry.)
    expect(events.slice(events.indexOf('refused'))).toEqual(['refused', 'renew', 'retry with bearer']);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.unroute('**/graphql');
  });

  it('sends the user to sign in, with a reason, when the session is gone and the JWT cannot be renewed', async () => {
    const { page, context } = testPage;
    await context.clearCookies(); // the session ended elsewhere (signed out in another tab, expired, revoked)
    await page.route('**/graphql', (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/graphql-response+json',
        body: JSON.stringify({ errors: [{ message: 'Invalid bearer token: the token has expired.', extensions: { code: 'UNAUTHENTICATED' } }] }),
      }),
    );
    await page.getByLabel('New task').fill('Never saved');
    await page.getByLabel('New task').press('Enter');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/');
    await visible(page.getByText('Your session has ended. Please sign in again.'));
    await page.unroute('**/graphql');
    expect(testPage.problems.errors).toEqual([]);
  });
});
