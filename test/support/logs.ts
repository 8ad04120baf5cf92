/** Reading the server's structured output (server/log.ts: one JSON object per line). */

export interface LogLine {
  level: string;
  time: string;
  msg?: string;
  log?: string;
  [field: string]: unknown;
}

/** Every non-empty line of the output, parsed; throws naming the first line that is not a JSON object. */
export function parseLogLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`server output line is not JSON: ${line.slice(0, 300)}`);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`server output line is not a JSON object: ${line.slice(0, 300)}`);
      return parsed as LogLine;
    });
}

export interface RequestLogLine extends LogLine {
  requestId: string;
  req: { method: string; route: string };
  res: { status: number };
  durationMs: number;
  operationName?: string;
  userId?: string;
}

export const requestLines = (output: string) => parseLogLines(output).filter((line): line is RequestLogLine => line.log === 'request');

/** Waits (briefly) for log lines the server writes as a response finishes, possibly after the client has it. */
export async function waitForLines<T>(read: () => T[], count = 1, timeoutMs = 3000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  let lines = read();
  while (lines.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    lines = read();
  }
  return lines;
}
