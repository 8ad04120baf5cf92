import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';

/** Only same-origin scripts and styles; no framing; no inline script. */
export const HTML_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

function setSecurityHeaders(response: ServerResponse) {
  for (const [name, value] of Object.entries(HTML_SECURITY_HEADERS)) response.setHeader(name, value);
}

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Taskfort</title></head>
<body><main><h1>Taskfort</h1><p>The API is running at <a href="/graphql">/graphql</a>. The web app is not built yet: run <code>npm run build</code>.</p></main></body></html>`;

/**
 * Serves the built web app: hashed assets are cached for a year, index.html never,
 * and unknown paths fall back to index.html so client-side routes survive a reload.
 */
export function createStaticHandler(distDir: string) {
  if (!existsSync(join(distDir, 'index.html'))) {
    return (_request: IncomingMessage, response: ServerResponse) => {
      setSecurityHeaders(response);
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
      response.end(PLACEHOLDER);
    };
  }
  const options = {
    etag: true,
    gzip: true,
    brotli: true,
    setHeaders(response: ServerResponse, pathname: string) {
      setSecurityHeaders(response);
      response.setHeader('Cache-Control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  };
  // /assets/ holds only the build's hashed files: a missing one is 404, never the index.html
  // fallback, which a shared cache would otherwise keep under that URL for a year.
  const serveAsset = sirv(distDir, { ...options, single: false });
  const serveApp = sirv(distDir, { ...options, single: true });
  const notFound = (response: ServerResponse) => () => {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
    response.end('Not found');
  };
  return (request: IncomingMessage, response: ServerResponse) =>
    (request.url?.startsWith('/assets/') ? serveAsset : serveApp)(request, response, notFound(response));
}
