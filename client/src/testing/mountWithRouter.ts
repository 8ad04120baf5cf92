import { mount } from '@vue/test-utils';
import { defineComponent, h, type Component, type Plugin } from 'vue';
import { createMemoryHistory, createRouter, RouterView, type RouteRecordRaw } from 'vue-router';
import NoticeArea from '../components/NoticeArea.vue';

const Stub = (text: string) => defineComponent({ render: () => h('p', { 'data-page': text }, text) });

/**
 * Mounts the app's pages behind a memory router at `path`, with the notice area that App.vue
 * adds, and stub pages for the routes a test does not render.
 */
export async function mountAt(path: string, pages: { signIn?: Component; signUp?: Component; dashboard?: Component }, plugins: Array<Plugin | [Plugin, ...unknown[]]> = []) {
  const routes: RouteRecordRaw[] = [
    { path: '/', name: 'dashboard', component: pages.dashboard ?? Stub('dashboard page') },
    { path: '/sign-in', name: 'sign-in', component: pages.signIn ?? Stub('sign-in page') },
    { path: '/sign-up', name: 'sign-up', component: pages.signUp ?? Stub('sign-up page') },
  ];
  const router = createRouter({ history: createMemoryHistory(), routes });
  await router.push(path);
  await router.isReady();
  const Host = defineComponent({ render: () => [h(RouterView), h(NoticeArea)] });
  const wrapper = mount(Host, {
    attachTo: document.body,
    global: { plugins: [router, ...plugins] },
  });
  return { wrapper, router };
}
