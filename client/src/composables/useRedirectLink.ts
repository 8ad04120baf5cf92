import { computed } from 'vue';
import { useRoute } from 'vue-router';

/** A link to another sign-in step (sign-in ↔ sign-up) that keeps ?redirect=, so the user still lands where they were going. */
export function useRedirectLink(name: string) {
  const route = useRoute();
  return computed(() => ({ name, query: route.query.redirect ? { redirect: route.query.redirect } : {} }));
}
