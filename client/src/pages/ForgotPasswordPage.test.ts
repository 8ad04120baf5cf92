import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authClient } from '../lib/authClient';
import { deferred, type FakeAuthClient } from '../testing/fakeAuthClient';
import { mountAt } from '../testing/mountWithRouter';
import ForgotPasswordPage from './ForgotPasswordPage.vue';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});
const fakeAuth = authClient as unknown as FakeAuthClient;

async function renderForgot() {
  const { wrapper, router } = await mountAt('/forgot-password', { forgotPassword: ForgotPasswordPage });
  async function ask(email: string) {
    await wrapper.get('#email').setValue(email);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
  }
  return { wrapper, router, ask };
}

const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

beforeEach(() => vi.clearAllMocks());
afterEach(() => {
  document.body.innerHTML = '';
});

describe('forgot-password page', () => {
  it('asks for the email with a labelled field and a way back to sign in', async () => {
    const { wrapper } = await renderForgot();
    expect(wrapper.get('h1').text()).toBe('Reset your password');
    expect(wrapper.findAll('label').map((label) => label.text())).toEqual(['Email']);
    expect(wrapper.get('button[type="submit"]').text()).toBe('Send reset link');
    expect(wrapper.get('a[href="/sign-in"]').text()).toBe('Back to sign in');
  });

  it('checks the address before sending anything', async () => {
    const { wrapper, ask } = await renderForgot();
    await ask('ada.example.com');
    expect(wrapper.text()).toContain('Enter a valid email address');
    expect(wrapper.get('#email').attributes('aria-invalid')).toBe('true');
    expect(fakeAuth.requestPasswordReset).not.toHaveBeenCalled();
  });

  it('sends the trimmed address with a link back to /reset-password, and confirms without saying whether the account exists', async () => {
    const { wrapper, ask } = await renderForgot();
    await ask('  ada@example.com ');
    expect(fakeAuth.requestPasswordReset).toHaveBeenCalledWith({ email: 'ada@example.com', redirectTo: `${window.location.origin}/reset-password` });
    const confirmation = wrapper.get('[role="status"].form-notice');
    expect(squash(confirmation.text())).toMatch(/^If an account exists for ada@example\.com, we sent a link to reset its password\./);
    expect(document.activeElement).toBe(confirmation.element);
    expect(wrapper.find('form').exists()).toBe(false);
  });

  it('gives an unknown address exactly the same confirmation as a known one (no enumeration)', async () => {
    const first = await renderForgot();
    await first.ask('ada@example.com');
    const known = squash(first.wrapper.get('[role="status"].form-notice').text()).replace('ada@example.com', '<address>');
    document.body.innerHTML = '';

    // Better Auth answers an unknown address with the same 200; the page must not tell them apart either way.
    fakeAuth.requestPasswordReset.mockResolvedValueOnce({
      data: { status: true, message: 'If this email exists in our system, check your email for the reset link' },
      error: null,
    });
    const second = await renderForgot();
    await second.ask('nobody@example.com');
    const unknown = squash(second.wrapper.get('[role="status"].form-notice').text()).replace('nobody@example.com', '<address>');
    expect(unknown).toBe(known);
  });

  it('lets the user correct the address after the confirmation', async () => {
    const { wrapper, ask } = await renderForgot();
    await ask('ada@exmaple.com');
    const tryAgain = wrapper.findAll('button').find((button) => button.text() === 'Try another email')!;
    await tryAgain.trigger('click');
    expect(wrapper.find('#email').exists()).toBe(true);
  });

  it.each(['MAIL_UNAVAILABLE', 'RESET_PASSWORD_DISABLED'])('says plainly that reset is unavailable when the server cannot send mail (%s)', async (code) => {
    fakeAuth.requestPasswordReset.mockResolvedValueOnce({ data: null, error: { status: code === 'MAIL_UNAVAILABLE' ? 503 : 400, code, message: 'x' } });
    const { wrapper, ask } = await renderForgot();
    await ask('ada@example.com');
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('Password reset is not available on this server');
    expect(alert.text()).toContain('Contact the administrator');
    expect(wrapper.text()).not.toContain('we sent a link');
  });

  it('explains a rate limit and keeps the form', async () => {
    fakeAuth.requestPasswordReset.mockResolvedValueOnce({ data: null, error: { status: 429, message: 'Too many requests' } });
    const { wrapper, ask } = await renderForgot();
    await ask('ada@example.com');
    expect(wrapper.get('[role="alert"]').text()).toBe('Too many attempts. Wait a little and try again.');
    expect(wrapper.find('#email').exists()).toBe(true);
  });

  it('ignores a second press while the request runs', async () => {
    const held = deferred<{ data: { status: boolean; message: string }; error: null }>();
    fakeAuth.requestPasswordReset.mockReturnValueOnce(held.promise);
    const { wrapper } = await renderForgot();
    await wrapper.get('#email').setValue('ada@example.com');
    await wrapper.get('form').trigger('submit');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('button[type="submit"]').attributes('aria-disabled')).toBe('true');
    held.resolve({ data: { status: true, message: '' }, error: null });
    await flushPromises();
    expect(fakeAuth.requestPasswordReset).toHaveBeenCalledTimes(1);
  });
});
