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

  it("runs a user's searches one after another, so each is charged its own time, not the time of those before it", async () => {
    let now = 0;
    const budget = createSearchBudget(5000, () => now);
    // Like SQLite: a statement starts on a later tick and holds the clock for its whole duration.
    const statement = () =>
      budget.run('tabs', async () => {
        await Promise.resolve();
        now += 1000;
      });
    await Promise.all([statement(), statement(), statement(), statement()]);
    // 4 s charged in all (less what refilled meanwhile), not 1 + 2 + 3 + 4 = 10 s: 1.25 s are left.
    await budget.run('tabs', async () => {
      now += 2000;
    });
    await refusal(budget.run('tabs', async () => 'sixth'));
  });

  it('refuses a queued search whose turn comes after the bucket ran dry', async () => {
    let now = 0;
    const budget = createSearchBudget(1000, () => now);
    const long = budget.run('user', async () => {
      await Promise.resolve();
      now += 5000;
    });
    const queued = budget.run('user', async () => 'ran');
    await long;
    expect((await refusal(queued)).code).toBe('RATE_LIMITED');
  });

  it('charges a search that fails, and lets at most 4 of one user run or wait at once', async () => {
    const { run } = budgetWithClock(1000);
    await expect(run('user', () => Promise.reject(new Error('database gone')))).rejects.toThrow('database gone');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const running = Array.from({ length: 4 }, () => run('user', () => gate));
    expect((await refusal(run('user', async () => 'fifth'))).code).toBe('RATE_LIMITED');
    open();
    await Promise.all(running);
    expect(await run('user', async () => 'after')).toBe('after');
  });
});
