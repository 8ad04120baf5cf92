import './styles.css';
import urql from '@urql/vue';
import { createApp, shallowRef } from 'vue';
import App from './App.vue';
import { accessTokens, useAuth } from './composables/useAuth';
import { useNotices } from './composables/useNotices';
import { createGraphQLClient } from './lib/graphqlClient';
import { createAppRouter } from './router';

const auth = useAuth();
const router = createAppRouter();

function newGraphQLClient() {
  return createGraphQLClient({
    tokens: accessTokens,
    onSessionEnded(error) {
      if (auth.user.value === null) return; // already signed out on purpose
      auth.endSession(error.message);
      const current = router.currentRoute.value;
      if (current.meta.requiresAuth) void router.replace({ name: 'sign-in', query: { redirect: current.fullPath } });
    },
  });
}

// One cache per signed-in user: a new client (and an empty Graphcache) whenever someone signs in,
// so nothing of one account's tasks is ever shown to the next. (Not on sign-out: the dashboard
// is still on screen for a moment and would only ask again, without a session.)
const graphqlClient = shallowRef(newGraphQLClient());
const notices = useNotices();
auth.onUserChange((user) => {
  if (user) graphqlClient.value = newGraphQLClient();
  else notices.clear(); // messages about the last user's tasks go with them
});

// Signed out in another tab: leave a signed-in page for the sign-in page (its notice says why),
// coming back here after signing in again.
auth.onSessionEndedElsewhere(() => {
  const current = router.currentRoute.value;
  if (current.meta.requiresAuth) void router.replace({ name: 'sign-in', query: { redirect: current.fullPath } });
});

createApp(App).use(router).use(urql, graphqlClient).mount('#app');
