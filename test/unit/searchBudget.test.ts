import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { createSearchBudget } from '../../server/graphql/searchBudget.js';

/** A clock the test moves by hand, and a search that takes the time it is told to. */
function budgetWithClock(msPerMinute: number) {
  let now = 0;
  const budget = createSearchBudget(msPerMinute, () => now);
  const search = (userId: string, takesMs: number) =>
    budget.run(userId, async () => {
      now += takesMs;
      return 'rows';
    });
  return { search, advance: (ms: number) => (now += ms), run: budget.run };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  const extensions = (error as GraphQLError).extensions as { code: string; http: { status: number; headers: Record<string, string> } };
  return { code: extensions.code, status: extensions.http.status, retryAfter: Number(extensions.http.headers['Retry-After']) };
}

describe('each user has a budget of search time', () => {
  it('runs searches while the budget lasts, then refuses them with RATE_LIMITED (429) and a Retry-After', async () => {
    const { search } = budgetWithClock(5000);
    // The first 1 s search leaves 4 s (a full bucket refills nothing); each later one gets 1/12 of
    // its second back while it runs. Six run, leaving −583 ms: 7 s at 5 s per minute.
    for (let i = 0; i < 6; i++) expect(await search('heavy', 1000)).toBe('rows');
    expect(await refusal(search('heavy', 1000))).toEqual({ code: 'RATE_LIMITED', status: 429, retryAfter: 7 });
  });

  it('lets one long search overdraw it, and then waits until the overdraft has refilled', async () => {
    const { search, advance } = budgetWithClock(5000);
    await search('heavy', 65_000); // 60 s over: refilled at 5 s per minute, that is 12 minutes
    expect((await refusal(search('heavy', 1))).retryAfter).toBe(720);
    advance(719_000);
    await refusal(search('heavy', 1));
    advance(2000);
    expect(await search('heavy', 1)).toBe('rows');
  });

  it('refills at its rate but never holds more than one minute of budget', async () => {
    const { search, advance } = budgetWithClock(6000);
    advance(3_600_000); // an idle hour banks 6 s, not an hour of searches
    await search('saver', 7000); // 6000 − 7000 = −1000 ms, 10 s at 6 s per minute
    expect((await refusal(search('saver', 1))).retryAfter).toBe(10);
    advance(9000);
    await refusal(search('saver', 1));
    advance(1500);
    expect(await search('saver', 1)).toBe('rows');
  });

  it('keeps users apart: one user out of budget does not slow another', async () => {
    const { search } = budgetWithClock(1000);
    await search('heavy', 5000);
    await refusal(search('heavy', 1));
    expect(await search('light', 10)).toBe('rows');
  });

  it('charges a search that fails, and lets at most 4 of one user run at once', async () => {
    const { run } = budgetWithClock(1000);
    await expect(run('user', () => Promise.reject(new Error('database gone')))).rejects.toThrow('database gone');
    const gates: (() => void)[] = [];
    const running = Array.from({ length: 4 }, () => run('user', () => new Promise<void>((resolve) => gates.push(resolve))));
    expect((await refusal(run('user', async () => 'fifth'))).code).toBe('RATE_LIMITED');
    for (const open of gates) open();
    await Promise.all(running);
    expect(await run('user', async () => 'after')).toBe('after');
  });
});
