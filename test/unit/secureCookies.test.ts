// Better Auth marks cookies Secure only when BETTER_AUTH_URL is https://, whatever NODE_ENV says:
// production over anything else warns at start-up (review 4, finding 6).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { warnWhenCookiesAreNotSecure } from '../../server/auth/secureCookies.js';

function warningsFor(config: { isProduction: boolean; baseUrl: string; role: 'all' | 'auth' | 'api' }): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  warnWhenCookiesAreNotSecure(config, pino(stream));
  return lines;
}

describe('warnWhenCookiesAreNotSecure', () => {
  it('warns once in production when BETTER_AUTH_URL is http:// (or unset, which defaults to http://HOST:PORT)', () => {
    const lines = warningsFor({ isProduction: true, baseUrl: 'http://127.0.0.1:3000', role: 'all' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, baseUrl: 'http://127.0.0.1:3000' });
    expect(String(lines[0]!.msg)).toMatch(/cookies are sent without Secure/);
  });

  it('says nothing with an https:// URL, in development, or on an API node (no cookies there)', () => {
    expect(warningsFor({ isProduction: true, baseUrl: 'https://tasks.example.com', role: 'all' })).toEqual([]);
    expect(warningsFor({ isProduction: false, baseUrl: 'http://localhost:3000', role: 'all' })).toEqual([]);
    expect(warningsFor({ isProduction: true, baseUrl: 'http://auth.internal:3000', role: 'api' })).toEqual([]);
  });
});
