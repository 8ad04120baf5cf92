import urql from '@urql/vue';
import { DOMWrapper, flushPromises, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAuth } from '../composables/useAuth';
import { authClient } from '../lib/authClient';
import type { TaskfortExport } from '../lib/dataExport';
import { createGraphQLClient } from '../lib/graphqlClient';
import { ADA, deferred, FIREFOX_ON_LINUX, makeSession, SAFARI_ON_IPHONE, type FakeAuthClient } from '../testing/fakeAuthClient';
import { createFakeTaskApi, fakeTokenStore, makeTask } from '../testing/fakeTaskApi';
import { mountAt } from '../testing/mountWithRouter';
import AccountPage from './AccountPage.vue';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});
const fakeAuth = authClient as unknown as FakeAuthClient;

const STRONG_PASSWORD = 'violet tractor harbour sings';
const THIS_DEVICE = makeSession({ id: 'session-here', token: 'token-here', userAgent: FIREFOX_ON_LINUX, ipAddress: '203.0.113.7' });
const PHONE = makeSession({
  id: 'session-phone',
  token: 'token-phone',
  userAgent: SAFARI_ON_IPHONE,
  ipAddress: '198.51.100.23',
  createdAt: new Date('2026-11-01T08:00:00Z'),
  updatedAt: new Date('2026-12-01T20:15:00Z'),
});

async function renderAccount(taskCount = 3) {
  fakeAuth.getSession.mockResolvedValue({ data: { user: ADA, session: THIS_DEVICE }, error: null });
  fakeAuth.listSessions.mockResolvedValue({ data: [PHONE, THIS_DEVICE], error: null });
  await useAuth().ensureSessionLoaded();

  const api = createFakeTaskApi(Array.from({ length: taskCount }, (_, index) => makeTask({ title: `Task ${index + 1}` })));
  // The account page's own operations read the same list the fake serves as TaskList.
  const fetch = (input: RequestInfo | URL, init: RequestInit = {}) => {
    const body = JSON.parse(String(init.body)) as { operationName?: string };
    if (body.operationName === 'ExportTasks' || body.operationName === 'TaskCount') {
      return api.fetch(input, { ...init, body: JSON.stringify({ ...body, operationName: 'TaskList', exportedAs: body.operationName }) });
    }
    return api.fetch(input, init);
  };
  const client = createGraphQLClient({ tokens: fakeTokenStore(), onSessionEnded: () => {}, fetch, url: 'http://localhost/graphql' });
  const { wrapper, router } = await mountAt('/account', { account: AccountPage }, [[urql, client]]);
  await flushPromises();
  return { wrapper, router, api };
}

const until = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 5000, interval: 10 });
const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

function buttonNamed(root: Pick<VueWrapper, 'findAll'>, name: string) {
  const button = root.findAll('button').find((node) => squash(node.text()) === name);
  if (!button) throw new Error(`no button named ${name}`);
  return button;
}

/** The delete dialog: teleported to <body>, outside the component tree the wrapper searches. */
const deleteDialog = () => new DOMWrapper(document.querySelector<HTMLDialogElement>('dialog[aria-labelledby="delete-account-title"]')!);

const alerts = () => [...document.querySelectorAll('[role="alert"]')].map((node) => squash(node.textContent));
const statusTexts = () => squash(document.querySelector('.notice-status')?.textContent);

beforeEach(() => vi.clearAllMocks());
afterEach(async () => {
  await useAuth().signOut();
  useAuth().clearSignInNotice();
  fakeAuth.getSession.mockReset();
  document.body.innerHTML = '';
});

/** The accessible name from aria-label, aria-labelledby or the text (enough for this page's markup). */
function accessibleName(node: Element): string {
  const label = node.getAttribute('aria-label');
  if (label) return label;
  const labelledBy = node.getAttribute('aria-labelledby');
  if (labelledBy)
    return labelledBy
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
      .join(' ');
  return node.textContent?.trim() ?? '';
}

describe('account page', () => {
  it('is reachable from the header, and labels every control', async () => {
    const { wrapper } = await renderAccount();
    expect(wrapper.get('h1').text()).toBe('Your account');
    expect(wrapper.get('header a[href="/account"]').text()).toBe('Account');
    expect(wrapper.findAll('section h2').map((heading) => heading.text())).toEqual([
      'Profile',
      'Password',
      "Where you're signed in",
      'Your data',
      'Account deletion',
    ]);
    // Each name belongs to one thing: the section is named by its heading, the form and the button
    // by what they do, and no heading repeats a button's text.
    const named = (name: string) => [...document.querySelectorAll('[aria-label], [aria-labelledby], button')].filter((node) => accessibleName(node) === name);
    expect(named('Change password')).toHaveLength(2); // the form (aria-label) and its submit button
    expect(named('Change password').map((node) => node.tagName)).toEqual(['FORM', 'BUTTON']);
    expect(wrapper.findAll('h2').filter((heading) => ['Change password', 'Export your data', 'Delete account…'].includes(heading.text()))).toEqual([]);
    for (const input of wrapper.findAll('input')) {
      const id = input.attributes('id');
      expect(id, 'every input has an id').toBeTruthy();
      expect(wrapper.find(`label[for="${id}"]`).exists(), `label for #${id}`).toBe(true);
    }
    const checkbox = wrapper.get<HTMLInputElement>('#sign-out-other-devices');
    expect(checkbox.element.checked).toBe(true);
    expect(wrapper.get('label[for="sign-out-other-devices"]').text()).toBe('Sign out of other devices');
    expect(deleteDialog().exists()).toBe(true);
  });

  describe('name', () => {
    it('saves the trimmed name and shows it in the header at once', async () => {
      const { wrapper } = await renderAccount();
      await wrapper.get('#account-name').setValue('  Ada King  ');
      await wrapper.get('#account-name').element.closest('form')!.dispatchEvent(new Event('submit'));
      await flushPromises();
      expect(fakeAuth.updateUser).toHaveBeenCalledWith({ name: 'Ada King' });
      expect(wrapper.get('.app-header__name').text()).toBe('Ada King');
      expect(useAuth().user.value?.name).toBe('Ada King');
      expect(statusTexts()).toContain('Your name has been saved.');
    });

    it('refuses an empty or too long name before sending it', async () => {
      const { wrapper } = await renderAccount();
      const form = () => wrapper.get('#account-name').element.closest('form')!;
      await wrapper.get('#account-name').setValue('   ');
      form().dispatchEvent(new Event('submit'));
      await flushPromises();
      expect(wrapper.text()).toContain('Enter your name.');
      expect(wrapper.get('#account-name').attributes('aria-invalid')).toBe('true');
      await wrapper.get('#account-name').setValue('x'.repeat(101));
      await flushPromises();
      expect(wrapper.text()).toContain('Use at most 100 characters.');
      expect(fakeAuth.updateUser).not.toHaveBeenCalled();
      expect(wrapper.get('.app-header__name').text()).toBe(ADA.name);
    });

    it('announces a refusal and keeps the old name in the header', async () => {
      fakeAuth.updateUser.mockResolvedValueOnce({ data: null, error: { status: 500, message: 'boom' } });
      const { wrapper } = await renderAccount();
      await wrapper.get('#account-name').setValue('Ada King');
      wrapper.get('#account-name').element.closest('form')!.dispatchEvent(new Event('submit'));
      await flushPromises();
      expect(alerts()).toContain('Could not save your name. The server had a problem; please try again.');
      expect(wrapper.get('.app-header__name').text()).toBe(ADA.name);
    });
  });

  describe('password', () => {
    async function change(wrapper: VueWrapper, current: string, next: string) {
      await wrapper.get('#current-password').setValue(current);
      await wrapper.get('#new-password').setValue(next);
      wrapper.get('form.change-password').element.dispatchEvent(new Event('submit'));
      await flushPromises();
    }

    it('changes it and signs the other devices out by default, with the policy and strength hint of sign-up', async () => {
      const { wrapper } = await renderAccount();
      expect(wrapper.get('#new-password').attributes('aria-describedby')).toBe('new-password-rules new-password-strength');
      await change(wrapper, 'old password here', STRONG_PASSWORD);
      await until(() =>
        expect(fakeAuth.changePassword).toHaveBeenCalledWith({ currentPassword: 'old password here', newPassword: STRONG_PASSWORD, revokeOtherSessions: true }),
      );
      await until(() => expect(statusTexts()).toContain('Password changed. Your other devices have been signed out.'));
      expect(wrapper.get<HTMLInputElement>('#current-password').element.value).toBe('');
      // The list is read again: the other devices are gone.
      expect(fakeAuth.listSessions).toHaveBeenCalledTimes(2);
    });

    it('keeps the other devices signed in when the box is unchecked', async () => {
      const { wrapper } = await renderAccount();
      await wrapper.get('#sign-out-other-devices').setValue(false);
      await change(wrapper, 'old password here', STRONG_PASSWORD);
      await until(() => expect(fakeAuth.changePassword).toHaveBeenCalledWith(expect.objectContaining({ revokeOtherSessions: false })));
    });

    it('marks a wrong current password on its field', async () => {
      fakeAuth.changePassword.mockResolvedValueOnce({ data: null, error: { status: 400, code: 'INVALID_PASSWORD', message: 'Invalid password' } });
      const { wrapper } = await renderAccount();
      await change(wrapper, 'wrong', STRONG_PASSWORD);
      await until(() => expect(wrapper.get('#current-password-error').text()).toBe('Your current password is not correct.'));
      expect(wrapper.get('#current-password').attributes('aria-invalid')).toBe('true');
    });

    it('refuses a short or guessable new password before sending it', async () => {
      const { wrapper } = await renderAccount();
      await change(wrapper, 'old password here', 'short');
      expect(wrapper.get('#new-password-error').text()).toBe('Use at least 8 characters.');
      await change(wrapper, 'old password here', 'password123');
      await until(() => expect(wrapper.get('#new-password-error').text()).toContain('too easy to guess'));
      expect(fakeAuth.changePassword).not.toHaveBeenCalled();
    });
  });

  describe('sessions', () => {
    it('lists each session with browser, system, IP, dates and a "This device" marker', async () => {
      const { wrapper } = await renderAccount();
      const items = wrapper.findAll('ul.session-list > li');
      expect(items).toHaveLength(2);
      const [here, phone] = items as [DOMWrapper<Element>, DOMWrapper<Element>];
      expect(squash(here.get('.session__device').text())).toBe('Firefox 128 on Ubuntu This device');
      expect(here.text()).toContain('203.0.113.7');
      expect(here.find('button').exists()).toBe(false);
      expect(squash(phone.get('.session__device').text())).toBe('Mobile Safari 17 on iOS 17.5');
      expect(phone.text()).toContain('198.51.100.23');
      expect(phone.findAll('time').map((time) => time.attributes('datetime'))).toEqual(['2026-11-01T08:00:00.000Z', '2026-12-01T20:15:00.000Z']);
      expect(squash(phone.get('button').text())).toBe('End session');
      expect(phone.get('button').attributes('aria-label')).toBe('End session on Mobile Safari 17 on iOS 17.5');
    });

    it('signs one other device out', async () => {
      const { wrapper } = await renderAccount();
      const phone = wrapper.findAll('ul.session-list > li')[1]!;
      await phone.get('button').trigger('click');
      await flushPromises();
      expect(fakeAuth.revokeSession).toHaveBeenCalledWith({ token: 'token-phone' });
      expect(wrapper.findAll('ul.session-list > li')).toHaveLength(1);
      expect(statusTexts()).toContain('Signed out Mobile Safari 17 on iOS 17.5.');
      expect(wrapper.text()).toContain('You are not signed in anywhere else.');
    });

    it('ends every other session', async () => {
      const { wrapper } = await renderAccount();
      await buttonNamed(wrapper, 'End all other sessions').trigger('click');
      await flushPromises();
      expect(fakeAuth.revokeOtherSessions).toHaveBeenCalledTimes(1);
      expect(wrapper.findAll('ul.session-list > li')).toHaveLength(1);
    });

    it('announces a failure and keeps the row', async () => {
      fakeAuth.revokeSession.mockResolvedValueOnce({ data: null, error: { status: 500, message: 'boom' } });
      const { wrapper } = await renderAccount();
      await wrapper.findAll('ul.session-list > li')[1]!.get('button').trigger('click');
      await flushPromises();
      expect(alerts().some((text) => text.startsWith('Could not sign that device out. Please try again.'))).toBe(true);
      expect(wrapper.findAll('ul.session-list > li')).toHaveLength(2);
    });

    it('offers to try again when the list cannot be loaded', async () => {
      fakeAuth.listSessions.mockResolvedValue({ data: [THIS_DEVICE], error: null });
      fakeAuth.getSession.mockResolvedValue({ data: { user: ADA, session: THIS_DEVICE }, error: null });
      await useAuth().ensureSessionLoaded();
      const api = createFakeTaskApi();
      const client = createGraphQLClient({ tokens: fakeTokenStore(), onSessionEnded: () => {}, fetch: api.fetch, url: 'http://localhost/graphql' });
      fakeAuth.listSessions.mockResolvedValueOnce({ data: null, error: { status: 500, message: 'boom' } });
      const { wrapper } = await mountAt('/account', { account: AccountPage }, [[urql, client]]);
      await flushPromises();
      expect(alerts().some((text) => text.startsWith('Could not load where you are signed in. Please try again.'))).toBe(true);
      await buttonNamed(wrapper, 'Try again').trigger('click');
      await flushPromises();
      expect(wrapper.findAll('ul.session-list > li')).toHaveLength(1);
    });
  });

  describe('export', () => {
    it('pages through every task 100 at a time and downloads taskfort-export-YYYY-MM-DD.json', async () => {
      const createObjectURL = vi.fn((_blob: Blob) => 'blob:taskfort-export');
      const revokeObjectURL = vi.fn();
      Object.assign(URL, { createObjectURL, revokeObjectURL });
      const downloads: string[] = [];
      const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
      try {
        const { wrapper, api } = await renderAccount(250);
        await buttonNamed(wrapper, 'Export your data').trigger('click');
        await until(() => expect(downloads).toHaveLength(1));

        const today = new Date();
        const date = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
        expect(downloads[0]).toBe(`taskfort-export-${date}.json`);
        expect(api.requestsFor('TaskList').map((request) => request.variables.first)).toEqual([100, 100, 100]);

        const file = createObjectURL.mock.calls[0]![0];
        expect(file.type).toBe('application/json');
        const exported = JSON.parse(await file.text()) as TaskfortExport;
        expect(exported.user).toEqual({ id: ADA.id, email: ADA.email, name: ADA.name });
        expect(Date.parse(exported.exportedAt)).not.toBeNaN();
        expect(exported.tasks).toHaveLength(250);
        expect(new Set(exported.tasks.map((task) => task.id)).size).toBe(250);
        expect(Object.keys(exported.tasks[0]!).sort()).toEqual(['completed', 'createdAt', 'description', 'dueDate', 'id', 'priority', 'title', 'updatedAt']);
        expect(statusTexts()).toContain(`Downloaded taskfort-export-${date}.json with 250 tasks.`);
      } finally {
        click.mockRestore();
      }
    });

    it('announces a failed export', async () => {
      const { wrapper, api } = await renderAccount(5);
      api.refuseNext('TaskList', { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.', status: 500 });
      await buttonNamed(wrapper, 'Export your data').trigger('click');
      await until(() => expect(alerts().some((text) => text?.startsWith('Could not export your data.'))).toBe(true));
    });
  });

  describe('deleting the account', () => {
    async function openDialog(wrapper: VueWrapper) {
      await buttonNamed(wrapper, 'Delete account…').trigger('click');
      await flushPromises();
      const dialog = deleteDialog();
      expect(dialog.element.open).toBe(true);
      return dialog;
    }

    it('asks for the password in a dialog that names what will be deleted', async () => {
      const { wrapper } = await renderAccount(3);
      const dialog = await openDialog(wrapper);
      expect(dialog.attributes('role')).toBeUndefined(); // the native dialog role
      expect(document.getElementById('app')!.getAttribute('aria-hidden')).toBe('true');
      await until(() => expect(squash(dialog.get('#delete-account-message').text())).toContain('all 3 of your tasks'));
      expect(dialog.text()).toContain('your account and its email address');
      expect(dialog.text()).toContain('all your sessions');
      expect(document.activeElement?.id).toBe('delete-password');
      await buttonNamed(dialog, 'Cancel').trigger('click');
      await flushPromises();
      expect(dialog.element.open).toBe(false);
      expect(document.getElementById('app')!.hasAttribute('aria-hidden')).toBe(false);
      expect(fakeAuth.deleteUser).not.toHaveBeenCalled();
    });

    it('stays open, whatever Escape or Cancel say, while the deletion is under way', async () => {
      const answer = deferred<Awaited<ReturnType<FakeAuthClient['deleteUser']>>>();
      fakeAuth.deleteUser.mockReturnValueOnce(answer.promise);
      const { wrapper } = await renderAccount();
      const dialog = await openDialog(wrapper);
      await dialog.get('#delete-password').setValue('my password');
      await dialog.get('form').trigger('submit');
      await flushPromises();
      expect(fakeAuth.deleteUser).toHaveBeenCalledTimes(1);
      const cancel = buttonNamed(dialog, 'Cancel');
      expect(cancel.attributes('aria-disabled')).toBe('true');
      await cancel.trigger('click');
      dialog.element.dispatchEvent(new Event('cancel', { cancelable: true })); // Escape
      await flushPromises();
      expect(dialog.element.open).toBe(true);

      answer.resolve({ data: null, error: { status: 400, code: 'INVALID_PASSWORD', message: 'Invalid password' } });
      await until(() => expect(dialog.get('[role="alert"]').text()).toBe('That password is not correct. Nothing was deleted.'));
      dialog.element.dispatchEvent(new Event('cancel', { cancelable: true }));
      await flushPromises();
      expect(dialog.element.open).toBe(false);
    });

    it('keeps everything when the password is wrong', async () => {
      fakeAuth.deleteUser.mockResolvedValueOnce({ data: null, error: { status: 400, code: 'INVALID_PASSWORD', message: 'Invalid password' } });
      const { wrapper, router } = await renderAccount();
      const dialog = await openDialog(wrapper);
      await dialog.get('#delete-password').setValue('wrong');
      await dialog.get('form').trigger('submit');
      await flushPromises();
      expect(dialog.get('[role="alert"]').text()).toBe('That password is not correct. Nothing was deleted.');
      // The field was emptied for the user: only the refusal, no "Enter your password." beside it.
      expect(dialog.get<HTMLInputElement>('#delete-password').element.value).toBe('');
      expect(dialog.text()).not.toContain('Enter your password.');
      expect(dialog.get('#delete-password').attributes('aria-invalid')).toBeUndefined();
      expect(dialog.element.open).toBe(true);
      expect(router.currentRoute.value.path).toBe('/account');
      expect(useAuth().user.value).toEqual(ADA);
    });

    it('deletes with the password, forgets the session and lands on the goodbye page', async () => {
      const { wrapper, router } = await renderAccount();
      const dialog = await openDialog(wrapper);
      await dialog.get('form').trigger('submit');
      await flushPromises();
      expect(dialog.text()).toContain('Enter your password.');
      expect(fakeAuth.deleteUser).not.toHaveBeenCalled();

      await dialog.get('#delete-password').setValue('my password');
      await dialog.get('form').trigger('submit');
      await until(() => expect(router.currentRoute.value.path).toBe('/goodbye'));
      expect(fakeAuth.deleteUser).toHaveBeenCalledWith({ password: 'my password' });
      expect(useAuth().user.value).toBeNull();
    });
  });
});
