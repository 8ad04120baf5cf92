import { pino } from 'pino';

/**
 * The one logger: every line the server writes is one JSON object (pino), so no client input
 * can forge a line. Never log tokens, cookies, passwords, GraphQL variables or query text.
 */
export const log = pino({
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export type Logger = typeof log;
