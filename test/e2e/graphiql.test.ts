// GraphiQL in a real browser: it renders from our origin only (no CDN, no blob: workers), under a
// CSP without inline script, and runs queries. The web app's own assets come precompressed too.
import { request as httpRequest } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { launchBrowser, openPage, shutDown, signUpNewUser, visible, type TestPage } from './support/browser.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

afterAll(() => shutDown(browser, server));

/** Records the URL of every request the page and its workers make. */
function recordRequests(testPage: TestPage): string[] {
  const urls: string[] = [];
  testPage.context.on('request', (request) => urls.push(request.url()));
  return urls;
}

async function runAndReadResponse(testPage: TestPage, expected: string) {
  const { page } = testPage;
  await visible(page.getByRole('button', { name: /execute query/i }), 60_000);
  await page.getByRole('button', { name: /execute query/i }).click();
  const response = page.locator('.graphiql-response');
  await response.getByText(expected).first().waitFor({ timeout: 30_000 });
  return response.innerText();
}

describe('GraphiQL in Chromium', () => {
  it('renders from our origin only and runs the query a link carries, without a token', async () => {
    const testPage = await openPage(browser, server.url);
    const requests = recordRequests(testPage);
    await testPage.page.goto(`/graphql?query=${encodeURIComponent('{ __typename }')}`);
    const result = await runAndReadResponse(testPage, '"Query"');
    expect(result).toContain('__typename');
    const origin = new URL(server.url).origin;
    const foreign = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    // The page, its bundle, CSS and start script, and Monaco's workers as same-origin files.
    expect(requests.filter((url) => url.includes('/graphql/assets/') && url.includes('.worker.')).length).toBeGreaterThan(0);
    expect(testPage.problems.errors).toEqual([]);
    await testPage.context.close();
  });

  it('opened plainly by a signed-in user, runs the default query with the prefilled token', async () => {
    const testPage = await openPage(browser, server.url);
    const user = await signUpNewUser(testPage.page, 'Grace Hopper');
    await testPage.page.goto('/graphql');
    const result = await runAndReadResponse(testPage, user.email);
    expect(result).toContain('totalCount');
    expect(testPage.problems.errors).toEqual([]);
    await testPage.context.close();
  });
});

function getEncoding(path: string, acceptEncoding: string): Promise<{ status: number; encoding: string | undefined; cacheControl: string | undefined }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(server.url);
    const request = httpRequest({ hostname, port, path, headers: { 'accept-encoding': acceptEncoding } }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, encoding: response.headers['content-encoding'], cacheControl: response.headers['cache-control'] }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the web app build', () => {
  it('is served precompressed: brotli or gzip by Accept-Encoding, hashed assets cached as immutable', async () => {
    const html = await (await fetch(server.url)).text();
    const scripts = [...html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
    const styles = [...html.matchAll(/href="(\/assets\/[^"]+\.css)"/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const path of [...scripts, ...styles]) {
      expect(await getEncoding(path, 'gzip, deflate, br')).toEqual({ status: 200, encoding: 'br', cacheControl: 'public, max-age=31536000, immutable' });
      expect((await getEncoding(path, 'gzip')).encoding, path).toBe('gzip');
      expect((await getEncoding(path, 'identity')).encoding, path).toBeUndefined();
    }
    expect((await getEncoding('/', 'br')).encoding).toBe('br');
  });

  it('answers 404 under /assets/ for anything that is not a built file, never the app page cached for a year', async () => {
    for (const path of ['/assets/', '/assets/foo', '/assets/a/b', '/assets/missing-abc123.js']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('cache-control'), path).not.toMatch(/immutable/);
    }
    const route = await fetch(`${server.url}/some/client/route`);
    expect(route.status).toBe(200);
    expect(route.headers.get('cache-control')).toBe('no-cache');
  });
});
