import { mount, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h, type Component, type Plugin } from 'vue';
import { createMemoryHistory, createRouter, RouterView, type RouteRecordRaw } from 'vue-router';
import NoticeArea from '../components/NoticeArea.vue';

const Stub = (text: string) => defineComponent({ render: () => h('p', { 'data-page': text }, text) });

export interface Pages {
  signIn?: Component;
  signUp?: Component;
  dashboard?: Component;
  forgotPassword?: Component;
  resetPassword?: Component;
  account?: Component;
  goodbye?: Component;
}

/**
 * Mounts the app's pages behind a memory router at `path`, inside an app root like index.html's
 * #app (dialogs are teleported out of it, to <body>), with the notice area that App.vue adds, and
 * stub pages for the routes a test does not render.
 */
export async function mountAt(path: string, pages: Pages, plugins: Array<Plugin | [Plugin, ...unknown[]]> = []) {
  const routes: RouteRecordRaw[] = [
    { path: '/', name: 'dashboard', component: pages.dashboard ?? Stub('dashboard page') },
    { path: '/sign-in', name: 'sign-in', component: pages.signIn ?? Stub('sign-in page') },
    { path: '/sign-up', name: 'sign-up', component: pages.signUp ?? Stub('sign-up page') },
    { path: '/forgot-password', name: 'forgot-password', component: pages.forgotPassword ?? Stub('forgot-password page') },
    { path: '/reset-password', name: 'reset-password', component: pages.resetPassword ?? Stub('reset-password page') },
    { path: '/account', name: 'account', component: pages.account ?? Stub('account page') },
    { path: '/goodbye', name: 'goodbye', component: pages.goodbye ?? Stub('goodbye page') },
  ];
  const router = createRouter({ history: createMemoryHistory(), routes });
  await router.push(path);
  await router.isReady();
  const Host = defineComponent({ render: () => [h(RouterView), h(NoticeArea)] });
  const appRoot = document.createElement('div');
  appRoot.id = 'app';
  document.body.append(appRoot);
  const wrapper = mount(Host, {
    attachTo: appRoot,
    global: { plugins: [router, ...plugins] },
  });
  return { wrapper, router };
}

/** The form control a <label> with exactly this text points at (by its `for`). */
export function fieldLabelled(wrapper: VueWrapper, label: string) {
  const node = wrapper.findAll('label').find((candidate) => candidate.text() === label);
  if (!node) throw new Error(`no label "${label}"`);
  return wrapper.get(`#${node.attributes('for')}`);
}
