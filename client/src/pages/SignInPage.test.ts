import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAuth } from '../composables/useAuth';
import { authClient } from '../lib/authClient';
import { ADA, type FakeAuthClient } from '../testing/fakeAuthClient';
import { fieldLabelled, mountAt } from '../testing/mountWithRouter';
import SignInPage from './SignInPage.vue';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});
const fakeAuth = authClient as unknown as FakeAuthClient;

async function renderSignIn(path = '/sign-in') {
  const { wrapper, router } = await mountAt(path, { signIn: SignInPage });
  const input = (label: string) => fieldLabelled(wrapper, label);
  async function signIn(email: string, password: string) {
    await input('Email').setValue(email);
    await input('Password').setValue(password);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
  }
  return { wrapper, router, input, signIn };
}

beforeEach(() => vi.clearAllMocks());
afterEach(async () => {
  await useAuth().signOut();
  useAuth().clearSignInNotice();
  document.body.innerHTML = '';
});

describe('sign-in page', () => {
  it('has labelled Email and Password fields and a link to sign up that keeps the redirect', async () => {
    const { wrapper } = await renderSignIn('/sign-in?redirect=%2F%3Fsort%3Ddue');
    expect(wrapper.findAll('label').map((label) => label.text())).toEqual(['Email', 'Password']);
    expect(wrapper.get('a[href^="/sign-up"]').attributes('href')).toBe('/sign-up?redirect=/?sort=due');
  });

  it('answers wrong credentials with one message that names no field, clears the password and focuses it', async () => {
    fakeAuth.signIn.email.mockResolvedValueOnce({
      data: null,
      error: { status: 401, code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' },
    });
    const { wrapper, input, signIn, router } = await renderSignIn();
    await signIn('ada@example.com', 'not my password');
    expect(wrapper.get('[role="alert"]').text()).toBe('Incorrect email or password.');
    expect(input('Password').element).toHaveProperty('value', '');
    expect(document.activeElement).toBe(input('Password').element);
    expect(input('Email').attributes('aria-invalid')).toBeUndefined();
    expect(router.currentRoute.value.path).toBe('/sign-in');
  });

  it("shows the server's words when the account is throttled after failed sign-ins (minutes, and that a reset lifts it)", async () => {
    const message = 'Too many failed sign-ins for this account. Try again in 14 minutes, or reset your password.';
    fakeAuth.signIn.email.mockResolvedValueOnce({ data: null, error: { status: 429, code: 'TOO_MANY_FAILED_SIGN_INS', message } });
    const { wrapper, signIn } = await renderSignIn();
    await signIn('ada@example.com', 'my real password');
    expect(wrapper.get('[role="alert"]').text()).toBe(message);
    expect(wrapper.find('a[href^="/forgot-password"]').exists()).toBe(true);
  });

  it('explains a malformed email before sending anything', async () => {
    const { wrapper, signIn } = await renderSignIn();
    await signIn('ada.example.com', '');
    expect(wrapper.text()).toContain('Enter a valid email address');
    expect(wrapper.text()).toContain('Enter your password.');
    expect(fakeAuth.signIn.email).not.toHaveBeenCalled();
  });

  it('returns to the page the user came from', async () => {
    const { signIn, router } = await renderSignIn('/sign-in?redirect=%2F%3Fstatus%3Dcompleted');
    await signIn(' ada@example.com ', 'correct horse battery staple');
    expect(fakeAuth.signIn.email).toHaveBeenCalledWith({ email: 'ada@example.com', password: 'correct horse battery staple' });
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/?status=completed'));
    expect(useAuth().user.value).toEqual(ADA);
  });

  it('never redirects off-site after signing in', async () => {
    const { signIn, router } = await renderSignIn('/sign-in?redirect=https%3A%2F%2Fevil.example%2F');
    await signIn('ada@example.com', 'correct horse battery staple');
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/'));
  });

  it('says why the user is here when the session ended', async () => {
    useAuth().endSession('Your session has ended. Please sign in again.');
    const { wrapper } = await renderSignIn();
    expect(wrapper.get('[role="status"].form-notice').text()).toBe('Your session has ended. Please sign in again.');
  });

  it('offers a "Forgot password?" link to /forgot-password', async () => {
    const { wrapper, router } = await renderSignIn();
    const link = wrapper.get('a[href="/forgot-password"]');
    expect(link.text()).toBe('Forgot password?');
    await link.trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/forgot-password'));
  });

  it('focuses Email when it opens, without nagging about it when the user moves on without typing', async () => {
    (document.activeElement as HTMLElement | null)?.blur();
    const { input, wrapper } = await renderSignIn();
    expect(document.activeElement).toBe(input('Email').element);
    await input('Email').trigger('blur');
    expect(wrapper.find('.field__error').exists()).toBe(false);
  });

  it('after a refused sign-in, shows only the refusal (not "Enter your password." on the field it cleared) and drops the old notice', async () => {
    useAuth().endSession('You have signed out.');
    fakeAuth.signIn.email.mockResolvedValueOnce({
      data: null,
      error: { status: 401, code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' },
    });
    const { wrapper, input, signIn } = await renderSignIn();
    expect(wrapper.get('[role="status"].form-notice').text()).toBe('You have signed out.');
    await signIn('ada@example.com', 'not my password');
    expect(wrapper.get('[role="alert"]').text()).toBe('Incorrect email or password.');
    expect(wrapper.text()).not.toContain('Enter your password.');
    expect(input('Password').attributes('aria-invalid')).toBeUndefined();
    expect(wrapper.find('.form-notice').exists()).toBe(false);
    expect(document.querySelectorAll('[role="status"]')).toHaveLength(0);
    // Submitting the empty field again is the user's own doing: now it is explained.
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.text()).toContain('Enter your password.');
  });
});
