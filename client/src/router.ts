import { createRouter, createWebHistory, type RouteLocationRaw, type Router } from 'vue-router';
import { useAuth } from './composables/useAuth';
import { safeRedirectPath } from './lib/validation';

declare module 'vue-router' {
  interface RouteMeta {
    /** Only for signed-in users; others go to /sign-in?redirect=… */
    requiresAuth?: boolean;
    /** Only for signed-out users; others go to the dashboard. */
    guestOnly?: boolean;
    title?: string;
  }
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      {
        path: '/',
        name: 'dashboard',
        component: () => import('./pages/DashboardPage.vue'),
        meta: { requiresAuth: true, title: 'Your tasks' },
      },
      {
        path: '/sign-in',
        name: 'sign-in',
        component: () => import('./pages/SignInPage.vue'),
        meta: { guestOnly: true, title: 'Sign in' },
      },
      {
        path: '/sign-up',
        name: 'sign-up',
        component: () => import('./pages/SignUpPage.vue'),
        meta: { guestOnly: true, title: 'Create your account' },
      },
      {
        path: '/forgot-password',
        name: 'forgot-password',
        component: () => import('./pages/ForgotPasswordPage.vue'),
        meta: { guestOnly: true, title: 'Reset your password' },
      },
      {
        // Open to everyone: a reset link may be opened in a browser that is still signed in.
        path: '/reset-password',
        name: 'reset-password',
        component: () => import('./pages/ResetPasswordPage.vue'),
        meta: { title: 'Choose a new password' },
      },
      {
        path: '/account',
        name: 'account',
        component: () => import('./pages/AccountPage.vue'),
        meta: { requiresAuth: true, title: 'Your account' },
      },
      {
        path: '/goodbye',
        name: 'goodbye',
        component: () => import('./pages/GoodbyePage.vue'),
        meta: { title: 'Account deleted' },
      },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  });

  router.beforeEach(async (to): Promise<RouteLocationRaw | true> => {
    const auth = useAuth();
    await auth.ensureSessionLoaded();
    const signedIn = auth.user.value !== null;
    if (to.meta.requiresAuth && !signedIn) return { name: 'sign-in', query: { redirect: to.fullPath } };
    if (to.meta.guestOnly && signedIn) return safeRedirectPath(to.query.redirect);
    return true;
  });

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Taskfort` : 'Taskfort';
  });

  return router;
}
