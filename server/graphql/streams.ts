import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, parse, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { COMPLETE, EVENT_STREAM_HEADERS, headersOf, KEEP_ALIVE, nextFrame, serialize, statusOf } from './sse.js';
import type { SharedSubscribe } from './sharedSubscriptionResults.js';

/** What Yoga's envelop gives for one request: its parse (limits, cache) and validation (rules, cache). */
interface EnvelopedPhases {
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  schema: GraphQLSchema;
}

export interface StreamTransportOptions<TContext> {
  /** Yoga's envelop: the same parse and validate (limits, codes, caches) as every other operation. */
  enveloped: (initialContext: { req: IncomingMessage; res: ServerResponse; params: Params }) => EnvelopedPhases;
  /** The context Yoga builds for a request (viewer, limits, connection); throws a coded error to refuse. */
  contextFor: (input: { headers: Headers; req: IncomingMessage; res: ServerResponse }) => Promise<TContext>;
  subscribe: SharedSubscribe;
  /** Errors a client may see: coded ones as they are, anything else masked (maskError.ts). */
  presentable: (result: ExecutionResult) => ExecutionResult;
  /** Anything this transport does not serve itself goes to Yoga, with the body already read. */
  forward: (request: Request, req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** For the metrics: a stream opened, with its operation's name (if it has one). */
  onStreamOpened: (operationName: string | undefined) => void;
  /** The CORS headers Yoga would answer this request with. */
  corsHeaders: (headers: Headers) => Record<string, string>;
  keepAliveMs: number;
  maxTokens: number;
}

export interface Params {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The parameters Yoga accepts; with any other, Yoga answers (400), as for every operation. */
const KNOWN_PARAMS = new Set(['query', 'variables', 'operationName', 'extensions']);

function paramsOf(raw: Record<string, unknown>): Params | null {
  const { query, variables, operationName, extensions } = raw;
  if (Object.keys(raw).some((name) => !KNOWN_PARAMS.has(name))) return null;
  if (typeof query !== 'string') return null;
  if (extensions != null && !isRecord(extensions)) return null;
  if (variables != null && !isRecord(variables)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  return { query, variables: variables ?? undefined, operationName: operationName ?? undefined };
}

function paramsFromUrl(url: URL): Params | null {
  try {
    const raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
    for (const name of ['variables', 'extensions']) if (typeof raw[name] === 'string') raw[name] = JSON.parse(raw[name]) as unknown;
    return paramsOf(raw);
  } catch {
    return null;
  }
}

function paramsFromBody(body: Buffer): Params | null {
  try {
    const raw = JSON.parse(body.toString('utf8')) as unknown;
    return isRecord(raw) ? paramsOf(raw) : null;
  } catch {
    return null;
  }
}

/** The request body (app.ts has already refused one over the limit, or without Content-Length); null if the client went away. */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  // Plain listeners, removed once the body is in: the request object lives as long as its stream.
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const finish = (body: Buffer | null) => {
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onError);
      resolve(body);
    };
    const onEnd = () => finish(Buffer.concat(chunks));
    const onClose = () => finish(req.complete ? Buffer.concat(chunks) : null);
    const onError = () => finish(null);
    req.on('data', onData).once('end', onEnd).once('close', onClose).once('error', onError);
  });
}

function headersOfRequest(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  return headers;
}

/** Whether a document names a subscription to run (a parse failure is Yoga's to report). */
function isSubscription(params: Params, maxTokens: number): boolean {
  try {
    return getOperationAST(parse(params.query, { maxTokens }), params.operationName)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/**
 * Live streams without Yoga's per-request machinery. An idle stream through Yoga holds ≈ 32 KB
 * (its Fetch Request and Response, the body's reader, envelop's hooks around the iterator); here
 * it holds the socket, the context and the event bus's listener. A subscription sent with
 * `Accept: text/event-stream` is parsed and validated by Yoga's envelop (same limits, codes and
 * caches), its context built by the same function, and its events executed by the same shared
 * subscribe; then its frames go straight to the socket. Everything else — queries over SSE,
 * anything that does not parse — goes to Yoga unchanged.
 */
export function createStreamTransport<TContext>(options: StreamTransportOptions<TContext>) {
  const { enveloped, contextFor, subscribe, presentable, forward, onStreamOpened, corsHeaders, keepAliveMs, maxTokens } = options;

  const sendJson = (res: ServerResponse, cors: Record<string, string>, result: ExecutionResult) => {
    const shown = presentable(result);
    res.writeHead(statusOf(shown), { ...cors, 'Content-Type': 'application/json; charset=utf-8', ...headersOf(shown) });
    res.end(serialize(shown));
  };

  return async function serveStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = headersOfRequest(req);
    let body: Buffer | null | undefined;
    let params: Params | null = null;
    if (req.method === 'GET') params = paramsFromUrl(url);
    else if (req.method === 'POST' && headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
      body = await readBody(req);
      if (body) params = paramsFromBody(body);
    }

    if (!params || !isSubscription(params, maxTokens)) {
      if (req.method === 'POST' && body === undefined) body = await readBody(req);
      // Gone before its body arrived: nobody to answer (the request log records the abort).
      if (body === null) return void res.destroy();
      const request = new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
        method: req.method,
        headers,
        body: body && new Uint8Array(body),
      });
      return forward(request, req, res);
    }

    const cors = corsHeaders(headers);
    const phases = enveloped({ req, res, params });
    let document: DocumentNode;
    try {
      document = phases.parse(params.query);
    } catch (error) {
      return sendJson(res, cors, { errors: [error as GraphQLError] });
    }
    const errors = phases.validate(phases.schema, document);
    if (errors.length > 0) return sendJson(res, cors, { errors });

    let contextValue: TContext;
    try {
      contextValue = await contextFor({ headers, req, res });
    } catch (error) {
      return sendJson(res, cors, { errors: [error as GraphQLError] });
    }
    const result = await subscribe({
      schema: phases.schema,
      document,
      contextValue,
      variableValues: params.variables,
      operationName: params.operationName,
    });
    if (!isAsyncIterable(result)) return sendJson(res, cors, result);

    res.writeHead(200, { ...cors, ...EVENT_STREAM_HEADERS });
    onStreamOpened(getOperationAST(document, params.operationName)?.name?.value);
    // Not awaited: this request's parsing and validation are done with, and an idle stream should
    // hold no more than the socket, the context and the bus's listener (so no locals of this frame).
    void pump(result[Symbol.asyncIterator](), res, keepAliveMs, presentable).catch(() => res.destroy());
  };
}

/** Writes a stream's events to its socket until the stream ends or the client goes away. */
async function pump(
  iterator: AsyncIterator<ExecutionResult>,
  res: ServerResponse,
  keepAliveMs: number,
  presentable: (result: ExecutionResult) => ExecutionResult,
): Promise<void> {
  // Gone while the stream was being set up: its 'close' has been and gone. Started, the bus's
  // stream sees its closed connection and gives its place back now; never started, it would
  // keep the place until the unread-stream timeout (10 s).
  if (res.closed || res.destroyed) {
    await iterator.next().catch(() => undefined);
    await iterator.return?.();
    return;
  }
  // Some browsers hold fetch() until the first bytes arrive.
  res.write(KEEP_ALIVE);
  const keepAlive = setInterval(() => {
    // Only into an empty buffer: a stalled client gets no keep-alives piling up.
    if (!res.writableNeedDrain) res.write(KEEP_ALIVE);
  }, keepAliveMs);
  let closed = false;
  res.once('close', () => {
    closed = true;
    clearInterval(keepAlive);
    void iterator.return?.();
  });
  try {
    for (;;) {
      const { done, value } = await iterator.next();
      if (closed) return;
      // The bus stops feeding a stream whose client has stopped reading, then drops it.
      if (value != null && !res.write(nextFrame(presentable(value)))) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      if (done) break;
    }
  } catch (error) {
    if (!closed) res.write(nextFrame(presentable({ errors: [error as GraphQLError] })));
  }
  clearInterval(keepAlive);
  if (!closed) res.end(COMPLETE);
}
