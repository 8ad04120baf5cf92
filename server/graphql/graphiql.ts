// GraphiQL as a small page plus separate, content-hashed, immutable assets served from our own
// origin. @graphql-yoga/render-graphiql ships GraphiQL as strings (bundle, CSS, Monaco workers,
// favicon) that its renderer inlines into one 9 MB page; here they become files in
// dist/graphiql, precompressed by the build (client/tooling/buildGraphiQL.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import sirv from 'sirv';
import { repoRoot } from '../config.js';
import { log } from '../log.js';

export const GRAPHIQL_ASSETS_DIR = resolve(repoRoot, 'dist/graphiql');
/** Under /graphql so API-only nodes and the dev server's /graphql proxy serve them too. */
export const GRAPHIQL_ASSETS_PATH = '/graphql/assets/';
const MANIFEST = 'manifest.json';
/** Bump when the files written here change shape, so older builds are regenerated. */
const GENERATOR_VERSION = 1;

/**
 * No inline script: the page's options travel in a JSON data block. Monaco injects <style>
 * elements at run time, hence 'unsafe-inline' for styles only; its CSS embeds fonts as data: URLs.
 */
export const GRAPHIQL_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface GraphiQLManifest {
  /** render-graphiql's version and this generator's: a different one means regenerate. */
  source: string;
  /** Whether .br/.gz siblings were written (by the build; the server's fallback writes none). */
  precompressed: boolean;
  /** File names (in GRAPHIQL_ASSETS_DIR) of what the page references. */
  script: string;
  style: string;
  favicon: string;
  start: string;
}

interface RenderGraphiQLStrings {
  css: string;
  js: string;
  favicon: string;
  editorWorkerService: string;
  jsonWorker: string;
  graphqlWorker: string;
}

const requireFromHere = createRequire(import.meta.url);

function sourceVersion(): string {
  const { version } = requireFromHere('@graphql-yoga/render-graphiql/package.json') as { version: string };
  return `@graphql-yoga/render-graphiql@${version}+${GENERATOR_VERSION}`;
}

/** `name.<hash>.ext`: the hash of the content, so a URL never changes meaning and can be cached for a year. */
function hashedName(stem: string, extension: string, content: Buffer): string {
  return `${stem}.${createHash('sha256').update(content).digest('base64url').slice(0, 12)}.${extension}`;
}

function writeAtomically(path: string, content: Buffer | string) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export function readGraphiQLManifest(dir = GRAPHIQL_ASSETS_DIR): GraphiQLManifest | null {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as GraphiQLManifest;
    const complete = [manifest.script, manifest.style, manifest.favicon, manifest.start].every((file) => existsSync(join(dir, file)));
    return complete && manifest.source === sourceVersion() ? manifest : null;
  } catch {
    return null;
  }
}

/**
 * Writes GraphiQL's assets as hashed files and returns the manifest (not yet written: the caller
 * writes it once everything it needs is on disk). Servers starting side by side may run this at
 * once: every file is content-addressed and renamed into place whole.
 */
export function writeGraphiQLFiles(dir = GRAPHIQL_ASSETS_DIR): { manifest: GraphiQLManifest; files: string[] } {
  // The CommonJS build loads synchronously; it is only read here, never by the running page handler.
  const strings = requireFromHere('@graphql-yoga/render-graphiql/graphiql') as RenderGraphiQLStrings;
  mkdirSync(dir, { recursive: true });
  const written = new Map<string, Buffer>();
  const add = (stem: string, extension: string, content: Buffer) => {
    const name = hashedName(stem, extension, content);
    written.set(name, content);
    return name;
  };
  const faviconData = /^data:image\/x-icon;base64,(.*)$/s.exec(strings.favicon)?.[1];
  const workers = {
    editorWorkerService: GRAPHIQL_ASSETS_PATH + add('editor.worker', 'js', Buffer.from(strings.editorWorkerService)),
    json: GRAPHIQL_ASSETS_PATH + add('json.worker', 'js', Buffer.from(strings.jsonWorker)),
    graphql: GRAPHIQL_ASSETS_PATH + add('graphql.worker', 'js', Buffer.from(strings.graphqlWorker)),
  };
  // What render-graphiql's inline script does, as a file: Monaco gets same-origin worker URLs
  // instead of blob: URLs, and the options come from the page's JSON data block.
  const start = `(function () {
  var workers = ${JSON.stringify(workers)};
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (moduleId, label) { return workers[label]; } };
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
})();
`;
  const manifest: GraphiQLManifest = {
    source: sourceVersion(),
    precompressed: false,
    script: add('graphiql', 'js', Buffer.from(strings.js)),
    style: add('graphiql', 'css', Buffer.from(strings.css)),
    favicon: faviconData
      ? add('favicon', 'ico', Buffer.from(faviconData, 'base64'))
      : add('favicon', 'svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
    start: add('start', 'js', Buffer.from(start)),
  };
  for (const [name, content] of written) if (!existsSync(join(dir, name))) writeAtomically(join(dir, name), content);
  return { manifest, files: [...written.keys()].map((name) => join(dir, name)) };
}

/** Removes the files of earlier versions (the build does this; a running server never does). */
export function pruneGraphiQLFiles(keep: string[], dir = GRAPHIQL_ASSETS_DIR) {
  const kept = new Set(keep.map((path) => basename(path)));
  for (const entry of readdirSync(dir)) {
    if (entry === MANIFEST || entry.endsWith('.tmp')) continue;
    if (!kept.has(entry.replace(/\.(br|gz)$/, ''))) rmSync(join(dir, entry), { force: true });
  }
}

export function writeGraphiQLManifest(manifest: GraphiQLManifest, dir = GRAPHIQL_ASSETS_DIR) {
  writeAtomically(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * The manifest `npm run build` wrote; without one (a clean clone under `npm run dev` or a test),
 * the uncompressed files are written now — about 0.1 s — so GraphiQL always works.
 */
export function loadGraphiQLAssets(dir = GRAPHIQL_ASSETS_DIR): GraphiQLManifest {
  const built = readGraphiQLManifest(dir);
  if (built) {
    if (!built.precompressed) log.warn({ dir }, 'GraphiQL assets are not precompressed: run npm run build');
    return built;
  }
  const startedAt = performance.now();
  const { manifest } = writeGraphiQLFiles(dir);
  writeGraphiQLManifest(manifest, dir);
  log.warn({ dir, ms: Math.round(performance.now() - startedAt) }, 'GraphiQL assets were missing and are written uncompressed: run npm run build');
  return manifest;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** The GraphiQL page (≈ 1 KB): references the hashed assets; its options are data, not script. */
export function graphiQLPageRenderer(manifest: GraphiQLManifest) {
  const asset = (name: string) => GRAPHIQL_ASSETS_PATH + name;
  return (options: Record<string, unknown> & { title?: string }) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
<link rel="icon" href="${asset(manifest.favicon)}">
<link rel="stylesheet" href="${asset(manifest.style)}">
<script type="application/json" id="graphiql-options">${JSON.stringify(options).replace(/</g, '\\u003c')}</script>
<script defer src="${asset(manifest.script)}"></script>
<script defer src="${asset(manifest.start)}"></script>
</head>
<body id="body" class="no-focus-outline">
<noscript>You need to enable JavaScript to run GraphiQL.</noscript>
<div id="root"></div>
</body>
</html>
`;
}

/** Serves /graphql/assets/*: brotli or gzip sibling by Accept-Encoding, ETag/304, cached for a year. */
export function createGraphiQLAssetHandler(dir = GRAPHIQL_ASSETS_DIR) {
  const serve = sirv(dir, {
    etag: true,
    gzip: true,
    brotli: true,
    dotfiles: false,
    setHeaders(response, pathname) {
      if (pathname.endsWith('.ico')) response.setHeader('Content-Type', 'image/x-icon'); // unknown to sirv's MIME table
      response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      response.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });
  return (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').slice(GRAPHIQL_ASSETS_PATH.length - 1);
    if (path.endsWith(`/${MANIFEST}`)) return notFound(response);
    request.url = path;
    serve(request, response, () => notFound(response));
  };
}

function notFound(response: ServerResponse) {
  response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end('Not found');
}
