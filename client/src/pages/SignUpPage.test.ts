import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authClient } from '../lib/authClient';
import { deferred, type FakeAuthClient } from '../testing/fakeAuthClient';
import { fieldLabelled, mountAt } from '../testing/mountWithRouter';
import SignUpPage from './SignUpPage.vue';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});
const fakeAuth = authClient as unknown as FakeAuthClient;

const STRONG_PASSWORD = 'violet tractor harbour sings';

async function renderSignUp(path = '/sign-up') {
  const { wrapper, router } = await mountAt(path, { signUp: SignUpPage });
  const input = (label: string) => fieldLabelled(wrapper, label);
  return { wrapper, router, input };
}

async function waitForText(wrapper: { text(): string }, text: string | RegExp) {
  await vi.waitFor(() => expect(wrapper.text()).toMatch(text), { timeout: 5000 });
}

beforeEach(() => vi.clearAllMocks());
afterEach(() => {
  document.body.innerHTML = '';
});

describe('sign-up page', () => {
  it('has visibly labelled Name, Email and Password fields and a link to sign in', async () => {
    const { wrapper } = await renderSignUp();
    expect(wrapper.findAll('label').map((label) => label.text())).toEqual(['Name', 'Email', 'Password']);
    expect(wrapper.get('a[href="/sign-in"]').text()).toBe('Sign in');
    expect(wrapper.get('h1').text()).toBe('Create your Taskfort account');
  });

  it('explains every problem on submit, focuses the first one and sends nothing', async () => {
    const { wrapper, input } = await renderSignUp();
    await input('Email').setValue('ada@');
    await input('Password').setValue('short');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    expect(wrapper.text()).toContain('Enter your name.');
    expect(wrapper.text()).toContain('Enter a valid email address, like name@example.com.');
    expect(wrapper.text()).toContain('Use at least 8 characters.');
    expect(input('Name').attributes('aria-invalid')).toBe('true');
    expect(input('Name').attributes('aria-describedby')).toBe('name-error');
    expect(document.activeElement).toBe(input('Name').element);
    expect(fakeAuth.signUp.email).not.toHaveBeenCalled();
  });

  it('shows a live strength hint from the estimator it loads on demand', async () => {
    const { wrapper, input } = await renderSignUp();
    expect(wrapper.get('.strength').attributes('data-score')).toBe('none');
    await input('Password').setValue('password1');
    await waitForText(wrapper, /Strength: Very weak/);
    await input('Password').setValue(STRONG_PASSWORD);
    await waitForText(wrapper, /Strength: (Good|Strong)/);
    expect(input('Password').attributes('aria-describedby')).toContain('password-strength');
  });

  it('refuses a password that is long enough but easy to guess, as the server does', async () => {
    const { wrapper, input } = await renderSignUp();
    await input('Name').setValue('Ada Lovelace');
    await input('Email').setValue('ada@example.com');
    await input('Password').setValue('password123');
    await wrapper.get('form').trigger('submit');
    await waitForText(wrapper, /This password is too easy to guess/);
    expect(input('Password').attributes('aria-invalid')).toBe('true');
    expect(fakeAuth.signUp.email).not.toHaveBeenCalled();
  });

  it('shows the server refusal (existing account) in an alert that describes the email field, and focuses it', async () => {
    fakeAuth.signUp.email.mockResolvedValueOnce({
      data: null,
      error: { status: 422, code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL', message: 'User already exists. Use another email.' },
    });
    const { wrapper, input, router } = await renderSignUp();
    await input('Name').setValue('Ada Lovelace');
    await input('Email').setValue('ada@example.com');
    await input('Password').setValue(STRONG_PASSWORD);
    await wrapper.get('form').trigger('submit');
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true), { timeout: 5000 });
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toBe('An account with this email already exists. Sign in instead, or use another email.');
    expect(router.currentRoute.value.path).toBe('/sign-up');
    expect(input('Email').attributes('aria-invalid')).toBe('true');
    expect(input('Email').attributes('aria-describedby')).toBe(alert.attributes('id'));
    expect(document.activeElement).toBe(input('Email').element);
    expect(input('Name').attributes('aria-invalid')).toBeUndefined();

    await input('Email').setValue('ada.lovelace@example.com');
    expect(input('Email').attributes('aria-invalid')).toBeUndefined();
    expect(input('Email').attributes('aria-describedby')).toBeUndefined();
  });

  it("passes on the server's own advice when it finds the password too weak", async () => {
    fakeAuth.signUp.email.mockResolvedValueOnce({
      data: null,
      error: { status: 400, code: 'PASSWORD_TOO_WEAK', message: 'Password is too easy to guess. Add more words that are less common.' },
    });
    const { wrapper, input } = await renderSignUp();
    await input('Name').setValue('Ada Lovelace');
    await input('Email').setValue('ada@example.com');
    await input('Password').setValue(STRONG_PASSWORD);
    await wrapper.get('form').trigger('submit');
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true), { timeout: 5000 });
    expect(wrapper.get('[role="alert"]').text()).toBe('Password is too easy to guess. Add more words that are less common.');
  });

  it('shows progress and sends one request however often the button is pressed', async () => {
    const answer = deferred<Awaited<ReturnType<FakeAuthClient['signUp']['email']>>>();
    fakeAuth.signUp.email.mockReturnValueOnce(answer.promise);
    const { wrapper, input, router } = await renderSignUp('/sign-up?redirect=%2F%3Fstatus%3Dactive');
    await input('Name').setValue(' Ada Lovelace ');
    await input('Email').setValue('ada@example.com');
    await input('Password').setValue(STRONG_PASSWORD);
    const button = wrapper.get('button[type="submit"]');
    await button.trigger('click');
    await vi.waitFor(() => expect(fakeAuth.signUp.email).toHaveBeenCalledTimes(1), { timeout: 5000 });
    await flushPromises();
    expect(button.text()).toBe('Creating account…');
    expect(button.attributes('aria-disabled')).toBe('true');
    await button.trigger('click');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(fakeAuth.signUp.email).toHaveBeenCalledTimes(1);
    expect(fakeAuth.signUp.email).toHaveBeenCalledWith({ name: 'Ada Lovelace', email: 'ada@example.com', password: STRONG_PASSWORD });

    answer.resolve({ data: { user: { id: 'user-9', name: 'Ada Lovelace', email: 'ada@example.com' } }, error: null });
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/?status=active'));
  });
});
