import urql from '@urql/vue';
import { createGraphQLClient } from '../lib/graphqlClient';
import DashboardPage from '../pages/DashboardPage.vue';
import { createFakeTaskApi, fakeTokenStore, type FakeTask } from './fakeTaskApi';
import { mountAt } from './mountWithRouter';

/**
 * The dashboard behind a memory router, talking through the real urql client, auth exchange and
 * Graphcache to an in-memory task API holding `tasks` (or to `api`, to mount again on the same
 * data). The test file mocks the auth client.
 */
export async function renderDashboard(tasks: FakeTask[] = [], path = '/', api = createFakeTaskApi(tasks)) {
  const client = createGraphQLClient({ tokens: fakeTokenStore(), onSessionEnded: () => {}, fetch: api.fetch, url: 'http://localhost/graphql' });
  const { wrapper, router } = await mountAt(path, { dashboard: DashboardPage }, [[urql, client]]);
  return { wrapper, router, api };
}
