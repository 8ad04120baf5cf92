import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

const MAX_MESSAGE_LENGTH = 300;
const MAX_STACK_FRAMES = 10;

/** Keys that must never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'sessionToken',
  'jwt',
  'authorization',
  'cookie',
  'variables',
  'query',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.sessionToken',
  '*.jwt',
  '*.authorization',
  '*.cookie',
  '*.variables',
  '*.query',
  'req.headers',
  'res.headers',
];

/** The first line of a text, at most MAX_MESSAGE_LENGTH characters: a library message never spans lines. */
export function oneLine(text: string): string {
  const line =
    stripVTControlCharacters(text)
      .trim()
      .split(/\r\n|[\n\r\u2028\u2029]/, 1)[0] ?? '';
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH)}…` : line;
}

/** Errors whose message is written by our code or the runtime, never made of client input. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError']);

export interface ErrorSummary {
  type: string;
  code?: string;
  message?: string;
  stack?: string[];
}

function rootCause(error: Error): Error {
  let current: Error = error;
  for (let depth = 0; depth < 5; depth++) {
    const original = (current as { originalError?: unknown }).originalError;
    if (!(original instanceof Error)) break;
    current = original;
  }
  return current;
}

/**
 * What a log line says about an error: its type, code and stack frames (code locations only).
 * The message is kept only when `withMessage` (start-up and configuration errors) or for a
 * programming error (TypeError…): a Prisma or validation message quotes the client's input.
 */
export function summarizeError(error: unknown, { withMessage = false } = {}): ErrorSummary {
  if (!(error instanceof Error)) return { type: typeof error, ...(withMessage ? { message: oneLine(String(error)) } : {}) };
  const cause = rootCause(error);
  const code = (cause as { code?: unknown }).code;
  const frames = (cause.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_STACK_FRAMES)
    .map((line) => line.trim());
  return {
    type: cause.name,
    ...(typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? { code } : {}),
    ...(withMessage || PROGRAMMING_ERRORS.has(cause.name) ? { message: oneLine(cause.message) } : {}),
    ...(frames.length ? { stack: frames } : {}),
  };
}

function prettyStream(): DestinationStream | undefined {
  if (!process.stdout.isTTY) return undefined;
  try {
    // A devDependency: absent from a production install, where lines stay JSON.
    const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' });
  } catch {
    return undefined;
  }
}

const options: LoggerOptions = {
  level: 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  // An Error logged as `err` is summarised; a summary made by the caller (summarizeError) passes as is.
  serializers: { err: (error: unknown) => (error instanceof Error ? summarizeError(error) : error) },
  redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
};

/**
 * The one logger: every line the server writes is one JSON object (pino) with every value
 * escaped, so no client input can forge a line. Pretty-printed only on a terminal.
 * Never log tokens, cookies, passwords, GraphQL variables or query text.
 */
export const log = pino(
  options,
  // Asynchronous: a line is buffered while the previous write is in flight, so under load many
  // lines go out in one write instead of one blocking write each (measured: a `{ __typename }`
  // request's CPU 0.33 → 0.21 ms). pino flushes the buffer synchronously on exit, a crash through
  // the uncaughtException handler included; only a SIGKILL can lose the last lines. The buffer is
  // bounded: if stdout stops draining, lines past 16 MB are dropped rather than held in memory.
  prettyStream() ?? pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 }),
);

export type Logger = typeof log;

/**
 * The logger of the one request line per HTTP exchange (observability/requestLog.ts): the same
 * logger and output, without redaction. Every field of that line is built there from allowlisted
 * or validated values (method label, route from the route table, status, ids, a GraphQL Name),
 * so no path can match; and pino's redaction parses each wildcard path anew for every object
 * value it logs, which cost 12 µs per line, 7% of a `{ __typename }` request.
 */
export const requestLineLog = log.child({}, { redact: { paths: [] } });

/** Applies LOG_LEVEL (read by loadConfig) once the configuration is known. */
export function configureLogger({ logLevel }: { logLevel: LogLevel }): void {
  log.level = logLevel;
  requestLineLog.level = logLevel;
}

type LibraryLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * What a client can make a library log at will, by sending a bad request or going away:
 * - `bad_request`: a GraphQLError that Yoga answers with a 4xx (a body that is not JSON…);
 * - `client_gone`: the request ended by the client, Node's "aborted" ECONNRESET while its body
 *   was arriving, or the request's AbortSignal (@whatwg-node aborts it when the client leaves).
 * A database connection reset says "read ECONNRESET" and a timeout is a TimeoutError: neither
 * is the client's doing, and both stay at their level.
 */
type ClientCause = 'bad_request' | 'client_gone';

const CLIENT_CAUSE_MESSAGES: Record<ClientCause, string> = {
  bad_request: 'bad request refused',
  client_gone: 'client went away before the response',
};

function clientCauseOf(error: Error): ClientCause | undefined {
  const { code, extensions } = error as Error & { code?: unknown; extensions?: { http?: { status?: unknown } } };
  if (error.name === 'AbortError' || code === 'ABORT_ERR' || (code === 'ECONNRESET' && error.message === 'aborted')) return 'client_gone';
  const status = extensions?.http?.status;
  if (error.name === 'GraphQLError' && typeof status === 'number' && status >= 400 && status < 500) return 'bad_request';
  return undefined;
}

/** The type and code of an error the client caused: its stack is ours, not news, and its message may quote the client. */
function clientErrorSummary(error: Error): ErrorSummary {
  const { code, extensions } = error as Error & { code?: unknown; extensions?: { code?: unknown } };
  const shownCode = typeof extensions?.code === 'string' ? extensions.code : code;
  return { type: error.name, ...(typeof shownCode === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(shownCode) ? { code: shownCode } : {}) };
}

/**
 * Better Auth's refusal of a client-supplied URL quotes it in full ("Invalid callbackURL:
 * javascript:…", origin-check.mjs): only the words before the colon are logged.
 */
const REFUSED_CLIENT_URL = /^(Invalid (?:origin|callbackURL|redirectURL|errorCallbackURL|newUserCallbackURL|redirect URL)): /;

/**
 * Better Auth and better-call log one abort twice (each with the same error object), Yoga one
 * bad body twice (masking it and handling it): one line per client-caused error is enough.
 */
const loggedClientErrors = new WeakSet<Error>();

/**
 * A log function for a library's messages (Better Auth, Yoga, Prisma, stray console calls):
 * the first line of its text message, and its errors summarised without their message.
 * What a client causes at will (see ClientCause, REFUSED_CLIENT_URL) is logged at debug or
 * info, without a stack or the client's text, so that `error` means a fault of the server.
 */
export function libraryLog(source: string) {
  return (level: LibraryLevel, ...args: unknown[]): void => {
    const error = args.find((arg): arg is Error => arg instanceof Error);
    const clientCause = error && clientCauseOf(error);
    if (error && clientCause) {
      if (loggedClientErrors.has(error)) return;
      loggedClientErrors.add(error);
      if (log.isLevelEnabled('debug')) log.debug({ source, clientCaused: clientCause, err: clientErrorSummary(error) }, CLIENT_CAUSE_MESSAGES[clientCause]);
      return;
    }
    // Better Auth refuses a URL at error: when even that level is off, so is info.
    if (!log.isLevelEnabled(level)) return;
    const texts = args.filter((arg): arg is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof arg));
    const text = oneLine(texts.map(String).join(' '));
    const refusedUrl = REFUSED_CLIENT_URL.exec(text);
    if (refusedUrl) {
      if (log.isLevelEnabled('info')) log.info({ source, clientCaused: 'bad_request' }, `${refusedUrl[1]} refused (the client's value is not logged)`);
      return;
    }
    const fields: Record<string, unknown> = { source };
    if (error) fields.err = summarizeError(error);
    log[level](fields, text || (error ? 'error' : ''));
  };
}

/** Yoga's logger interface, routed through pino. */
export function yogaLogger() {
  const write = libraryLog('graphql');
  return {
    debug: (...args: unknown[]) => write('debug', ...args),
    info: (...args: unknown[]) => write('info', ...args),
    warn: (...args: unknown[]) => write('warn', ...args),
    error: (...args: unknown[]) => write('error', ...args),
  };
}

/**
 * Dependencies that print with console.* (better-call's "# SERVER_ERROR:", Better Auth before
 * its options are read) would write raw multi-line text and stacks; in the server process every
 * console call becomes one pino line instead.
 */
/* eslint-disable no-console -- replacing console's methods is the point here */
export function routeConsoleThroughLogger(): void {
  const write = libraryLog('console');
  // Objects are left out: a dumped request or row could hold anything.
  const text = (args: unknown[]) => args.filter((arg) => typeof arg === 'string' || typeof arg === 'number');
  const errors = (args: unknown[]) => args.filter((arg) => arg instanceof Error);
  console.log = (...args: unknown[]) => write('info', ...text(args), ...errors(args));
  console.info = console.log;
  console.debug = (...args: unknown[]) => write('debug', ...text(args), ...errors(args));
  console.warn = (...args: unknown[]) => write('warn', ...text(args), ...errors(args));
  console.error = (...args: unknown[]) => write('error', ...text(args), ...errors(args));
  console.trace = console.debug;
}
