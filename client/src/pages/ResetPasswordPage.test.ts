import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAuth } from '../composables/useAuth';
import { authClient } from '../lib/authClient';
import { type FakeAuthClient } from '../testing/fakeAuthClient';
import { mountAt } from '../testing/mountWithRouter';
import ResetPasswordPage from './ResetPasswordPage.vue';
import SignInPage from './SignInPage.vue';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});
const fakeAuth = authClient as unknown as FakeAuthClient;

const STRONG_PASSWORD = 'violet tractor harbour sings';

async function renderReset(path: string) {
  const { wrapper, router } = await mountAt(path, { resetPassword: ResetPasswordPage, signIn: SignInPage });
  async function choose(password: string) {
    await wrapper.get('#new-password').setValue(password);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
  }
  return { wrapper, router, choose };
}

const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

beforeEach(() => vi.clearAllMocks());
afterEach(() => {
  useAuth().clearSignInNotice();
  document.body.innerHTML = '';
});

describe('reset-password page', () => {
  it('asks for the new password with the sign-up rules and a live strength hint', async () => {
    const { wrapper } = await renderReset('/reset-password?token=abc123');
    expect(wrapper.get('h1').text()).toBe('Choose a new password');
    expect(wrapper.findAll('label').map((label) => label.text())).toEqual(['New password']);
    const input = wrapper.get('#new-password');
    expect(input.attributes('autocomplete')).toBe('new-password');
    expect(input.attributes('aria-describedby')).toBe('new-password-rules new-password-strength');
    expect(wrapper.get('#new-password-rules').text()).toContain('8 to 128 characters');
    await input.setValue('password123');
    await until(() => expect(wrapper.get('#new-password-strength').text()).toMatch(/Strength: (Very weak|Weak)/));
  });

  it('refuses a short or guessable password before sending it', async () => {
    const { wrapper, choose } = await renderReset('/reset-password?token=abc123');
    await choose('short');
    expect(wrapper.text()).toContain('Use at least 8 characters.');
    await choose('password123');
    await until(() => expect(wrapper.text()).toContain('This password is too easy to guess'));
    expect(fakeAuth.resetPassword).not.toHaveBeenCalled();
  });

  it('sets the new password with the token, then sends the user to sign in with a success notice', async () => {
    const { wrapper, router, choose } = await renderReset('/reset-password?token=abc123');
    await choose(STRONG_PASSWORD);
    await until(() => expect(router.currentRoute.value.path).toBe('/sign-in'));
    expect(fakeAuth.resetPassword).toHaveBeenCalledWith({ newPassword: STRONG_PASSWORD, token: 'abc123' });
    await until(() => expect(wrapper.get('[role="status"].form-notice').text()).toBe('Password changed: sign in with your new password.'));
  });

  it('shows a clear page with a way to ask again when Better Auth redirects with ?error=INVALID_TOKEN', async () => {
    const { wrapper } = await renderReset('/reset-password?error=INVALID_TOKEN');
    expect(wrapper.get('h1').text()).toBe('This reset link no longer works');
    expect(wrapper.get('[role="alert"]').text()).toContain('expired, was already used');
    expect(wrapper.get('a[href="/forgot-password"]').text()).toBe('Ask for a new link');
    expect(wrapper.find('form').exists()).toBe(false);
  });

  it('treats a link without a token the same way', async () => {
    const { wrapper } = await renderReset('/reset-password');
    expect(wrapper.get('a[href="/forgot-password"]').text()).toBe('Ask for a new link');
  });

  it('switches to the same page when the server says the token expired or was used', async () => {
    fakeAuth.resetPassword.mockResolvedValueOnce({ data: null, error: { status: 400, code: 'INVALID_TOKEN', message: 'Invalid token' } });
    const { wrapper, router, choose } = await renderReset('/reset-password?token=used');
    await choose(STRONG_PASSWORD);
    await until(() => expect(wrapper.get('h1').text()).toBe('This reset link no longer works'));
    expect(router.currentRoute.value.path).toBe('/reset-password');
  });

  it('shows the server refusing the new password and stays on the page', async () => {
    fakeAuth.resetPassword.mockResolvedValueOnce({ data: null, error: { status: 400, code: 'PASSWORD_TOO_WEAK', message: 'Add another word or two.' } });
    const { wrapper, router, choose } = await renderReset('/reset-password?token=abc123');
    await choose(STRONG_PASSWORD);
    await until(() => expect(wrapper.get('[role="alert"]').text()).toBe('Add another word or two.'));
    expect(router.currentRoute.value.path).toBe('/reset-password');
  });
});
