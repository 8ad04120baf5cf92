import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGraphiQLAssets } from '../../client/tooling/prepareClient.js';
import { ApiClient } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let api: ApiClient;

beforeAll(async () => {
  // What `npm run build` makes: hashed assets with .br/.gz siblings in dist/graphiql.
  await ensureGraphiQLAssets();
  server = await startServer();
  api = new ApiClient(server.url);
});
afterAll(() => server?.stop());

const openGraphiQL = (cookie?: string, search = '') =>
  fetch(`${server.url}/graphql${search}`, { headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });

function prefilledToken(html: string): string | undefined {
  return /Bearer (ey[\w-]+\.[\w-]+\.[\w-]+)/.exec(html.replaceAll('\\n', ''))?.[1];
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The bytes as sent (fetch would decompress them and hide Content-Encoding's effect). */
function getRaw(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // A path, not a URL: a URL would be normalised ("/a/../b" → "/b") before it is sent.
    const { hostname, port } = new URL(server.url);
    const request = httpRequest({ hostname, port, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** Every asset URL the page references, with the Monaco worker URLs its start script names. */
async function assetUrls(html: string): Promise<string[]> {
  const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  const start = referenced.find((url) => /\/start\.[\w-]+\.js$/.test(url));
  const startScript = start ? (await getRaw(start)).body.toString() : '';
  return [...referenced, ...[...startScript.matchAll(/"(\/graphql\/assets\/[^"]+)"/g)].map((match) => match[1]!)];
}

describe('GraphiQL page', () => {
  it('is small, references only same-origin hashed assets and runs no inline script', async () => {
    const response = await openGraphiQL();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    // Was 9,054,542 bytes with every asset inlined.
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(100 * 1024);
    expect(html).toContain('Taskfort GraphiQL');
    expect(html).not.toMatch(/https?:\/\//);
    // Every <script> either loads a file or is a JSON data block: nothing inline executes.
    for (const [tag] of html.matchAll(/<script[^>]*>/g)) expect(tag).toMatch(/ src="|type="application\/json"/);
    const urls = await assetUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(7); // bundle, CSS, favicon, start script, 3 Monaco workers
    for (const url of urls) expect(url).toMatch(/^\/graphql\/assets\/[\w.-]+\.[\w-]{12}\.(js|css|ico|svg)$/);
    expect(prefilledToken(html)).toBeUndefined();
  });

  it('carries the HTML security headers with a CSP that forbids inline script, and is never cached', async () => {
    const response = await openGraphiQL();
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('GraphiQL assets', () => {
  let urls: string[];
  beforeAll(async () => {
    urls = await assetUrls(await (await openGraphiQL()).text());
  });

  it('are cached for a year as immutable and sent brotli, gzip or identity by Accept-Encoding', async () => {
    for (const url of urls) {
      const identity = await getRaw(url, { 'accept-encoding': 'identity' });
      expect(identity.status, url).toBe(200);
      expect(identity.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      expect(identity.headers['content-encoding'], url).toBeUndefined();
      expect(identity.headers['x-content-type-options'], url).toBe('nosniff');
      expect(identity.headers['content-type'], url).toMatch(/javascript|css|image/);
      // The favicon is binary and tiny once compressed; only text assets must have siblings.
      if (url.endsWith('.ico')) continue;
      const brotli = await getRaw(url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(brotli.headers['content-encoding'], url).toBe('br');
      expect(brotli.headers.vary, url).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(brotli.body).equals(identity.body), url).toBe(true);
      const gzip = await getRaw(url, { 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding'], url).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(identity.body), url).toBe(true);
      expect(brotli.body.length, url).toBeLessThan(gzip.body.length);
    }
  });

  it('answer 304 Not Modified to a matching If-None-Match', async () => {
    const url = urls.find((candidate) => candidate.endsWith('.css'))!;
    const first = await getRaw(url, { 'accept-encoding': 'br' });
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await getRaw(url, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answer 404 for unknown files, the manifest and paths outside the folder', async () => {
    for (const path of [
      '/graphql/assets/graphiql.000000000000.js',
      '/graphql/assets/manifest.json',
      '/graphql/assets/../../package.json',
      '/graphql/assets/%2e%2e/%2e%2e/package.json',
      '/graphql/assets/',
    ]) {
      expect((await getRaw(path)).status, path).toBe(404);
    }
  });
});

describe('GraphiQL token prefill', () => {
  it('opens with a fresh bearer token for a signed-in browser session when the URL carries no document', async () => {
    const user = await api.createUser();
    const cookie = `better-auth.session_token=${encodeURIComponent(user.sessionToken)}`;
    const response = await openGraphiQL(cookie);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const token = prefilledToken(await response.text());
    expect(token).toBeDefined();
    const me = await api.graphql('{ me { id } }', {}, { token });
    expect(me.data).toEqual({ me: { id: user.id } });
  });

  it('pre-fills nothing when a link carries a document, so one click on Run cannot act as the viewer', async () => {
    const user = await api.createUser();
    const cookie = `better-auth.session_token=${encodeURIComponent(user.sessionToken)}`;
    const attack = encodeURIComponent('mutation { deleteTask(id: "x") }');
    for (const search of [`?query=${attack}`, '?query=', '?variables=%7B%7D', '?operationName=Steal', '?extensions=%7B%7D', `?x=1&query=${attack}`]) {
      const response = await openGraphiQL(cookie, search);
      expect(response.status, search).toBe(200);
      const html = await response.text();
      expect(html, search).toContain('Taskfort GraphiQL');
      expect(prefilledToken(html), search).toBeUndefined();
    }
    // A parameter that is not a document does not take the convenience away.
    expect(prefilledToken(await (await openGraphiQL(cookie, '?tab=1')).text())).toBeDefined();
  });

  it('pre-fills nothing for a session cookie that is not valid', async () => {
    const html = await (await openGraphiQL('better-auth.session_token=forged.value')).text();
    expect(prefilledToken(html)).toBeUndefined();
  });
});

describe('GraphiQL token prefill under the /token rate limit', () => {
  let limited: RunningServer;
  beforeAll(async () => {
    limited = await startServer({ env: { AUTH_RATE_LIMIT: 'on', TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => limited?.stop());

  it('counts an IPv6 client per /64, as Better Auth counts /api/auth/token, so rotating addresses gets no more tokens', async () => {
    const user = await new ApiClient(limited.url).createUser();
    const mint = (address: string) =>
      fetch(`${limited.url}/api/auth/token`, { headers: { authorization: `Bearer ${user.sessionToken}`, 'x-forwarded-for': address } });
    const prefill = async (address: string) => {
      const response = await fetch(`${limited.url}/graphql`, {
        headers: { accept: 'text/html', cookie: `better-auth.session_token=${encodeURIComponent(user.sessionToken)}`, 'x-forwarded-for': address },
      });
      return prefilledToken(await response.text());
    };
    let minted = 0;
    while ((await mint(`2001:db8:1:2::${(minted + 1).toString(16)}`)).status === 200) minted++;
    expect(minted).toBe(120);
    // Another address of the same /64: the same spent allowance.
    expect(await prefill('2001:db8:1:2:ffff::1')).toBeUndefined();
    // Another /64 has its own.
    expect(await prefill('2001:db8:1:3::1')).toBeDefined();
  });
});
