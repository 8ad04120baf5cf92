import './styles.css';
import urql from '@urql/vue';
import { createApp, shallowRef } from 'vue';
import App from './App.vue';
import { accessTokens, useAuth } from './composables/useAuth';
import { createGraphQLClient } from './lib/graphqlClient';
import { createAppRouter } from './router';

const auth = useAuth();
const router = createAppRouter();

function newGraphQLClient() {
  return createGraphQLClient({
    tokens: accessTokens,
    onSessionEnded(error) {
      auth.endSession(error.message);
      const current = router.currentRoute.value;
      if (current.meta.requiresAuth) void router.replace({ name: 'sign-in', query: { redirect: current.fullPath } });
    },
  });
}

// One cache per signed-in user: a new client (and an empty Graphcache) whenever the user changes,
// so nothing of one account's tasks is ever shown to the next.
const graphqlClient = shallowRef(newGraphQLClient());
auth.onUserChange(() => {
  graphqlClient.value = newGraphQLClient();
});

createApp(App).use(router).use(urql, graphqlClient).mount('#app');
