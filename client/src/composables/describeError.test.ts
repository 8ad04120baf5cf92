import { CombinedError } from '@urql/vue';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { describeError } from './useTasks';

const apiError = (code: string, message: string) => new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions: { code } })] });

describe('describeError', () => {
  it("passes on the server's own words where they tell people what to do", () => {
    const quota = 'You have reached the limit of 100000 tasks: delete some to add more.';
    expect(describeError(apiError('TASK_LIMIT_REACHED', quota))).toBe(quota);
    const searches = 'Your searches have used their share of the database for now: retry in 7 s.';
    expect(describeError(apiError('RATE_LIMITED', searches))).toBe(searches);
    expect(describeError(apiError('BAD_USER_INPUT', 'Title must not be empty.'))).toBe('Title must not be empty.');
  });

  it('says an outage is brief, and keeps internal messages to itself', () => {
    expect(describeError(apiError('SERVICE_UNAVAILABLE', 'The database is unavailable right now; retry shortly.'))).toMatch(/briefly unavailable/);
    expect(describeError(apiError('INTERNAL_SERVER_ERROR', 'Unexpected error.'))).toBe('Something went wrong on the server.');
    expect(describeError(new CombinedError({ networkError: new Error('fetch failed') }))).toMatch(/Could not reach Taskfort/);
  });
});
