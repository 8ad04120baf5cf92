import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../server/graphql/maskError.js';

// Which errors mean "the database is down, retry later" (503) rather than a bug (masked 500).
describe('isDatabaseUnavailable', () => {
  it.each([
    ['a Prisma initialization error', Object.assign(new Error('cannot reach'), { name: 'PrismaClientInitializationError' })],
    ['Prisma P1001 (cannot reach the server)', Object.assign(new Error('x'), { code: 'P1001' })],
    ['Prisma P2024 (pool timeout)', Object.assign(new Error('x'), { code: 'P2024' })],
    ['a refused connection', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })],
    ['PostgreSQL shutting down (57P01)', Object.assign(new Error('x'), { code: '57P01' })],
    ['a driver adapter kind', { kind: 'DatabaseNotReachable' }],
    ['pg pool message', new Error('timeout exceeded when trying to connect')],
    ['a cause a few levels down', new Error('outer', { cause: new Error('middle', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }) })],
  ])('recognises %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a plain bug', new TypeError('undefined is not a function')],
    ['a unique constraint (P2002)', Object.assign(new Error('x'), { code: 'P2002' })],
    ['a record not found (P2025)', Object.assign(new Error('x'), { code: 'P2025' })],
    ['nothing', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('does not take %s for an outage', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops following causes after a few levels (a cyclic cause cannot hang it)', () => {
    const cyclic: { message: string; cause?: unknown } = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
  });
});
