// Account recovery and the account page (issue 12) in a real browser against the real server.
// The account page's name, password, sessions and export run on Better Auth's default routes; the
// mail round trip and deletion need the server side of issue 12 (mailer wiring, delete-user).
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { useServer } from '../support/fixtures.js';
import { startServer, type RunningServer } from '../support/server.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';
import {
  addTask,
  launchBrowser,
  openPage,
  saveScreenshot,
  seriousAccessibilityViolations,
  shutDown,
  signInThroughForm,
  STRONG_PASSWORD,
  uniqueEmail,
  visible,
  type PageOptions,
  type TestPage,
} from './support/browser.js';

const NEW_PASSWORD = 'copper lantern meadow drifts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(() => shutDown(browser, undefined));

function expectNoPageErrors(...pages: TestPage[]) {
  for (const { problems } of pages) expect(problems.errors).toEqual([]);
}

async function signInAndOpenAccount(server: RunningServer, user: { email: string; password: string }, options?: PageOptions) {
  const testPage = await openPage(browser, server.url, options);
  await testPage.page.goto('/sign-in');
  await signInThroughForm(testPage.page, user);
  await visible(testPage.page.getByRole('heading', { name: 'Your tasks' }));
  await testPage.page.getByRole('link', { name: 'Account' }).click();
  await visible(testPage.page.getByRole('heading', { name: 'Your account' }));
  return testPage;
}

async function createTasks(api: ApiClient, user: TestUser, count: number) {
  const mutation = 'mutation Create($input: CreateTaskInput!) { createTask(input: $input) { id } }';
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, index) =>
      api.graphql(mutation, { input: { title: `Task ${start + index + 1}` } }, { token: user.jwt }),
    );
    for (const response of await Promise.all(batch)) expect(response.errors).toBeUndefined();
  }
}

describe('the account page', () => {
  const { server, api } = useServer();

  it('changes the name (the header follows at once and it survives a reload)', async () => {
    const user = await api.createUser({ name: 'Ada Lovelace', password: STRONG_PASSWORD });
    const testPage = await signInAndOpenAccount(server, user);
    const { page } = testPage;
    await page.getByLabel('Name').fill('  Ada King  ');
    await page.getByRole('button', { name: 'Save name' }).click();
    await visible(page.locator('.app-header__name').getByText('Ada King', { exact: true }));
    await visible(page.getByText('Your name has been saved.'));
    await page.reload();
    await visible(page.locator('.app-header__name').getByText('Ada King', { exact: true }));
    expect(await page.getByLabel('Name').inputValue()).toBe('Ada King');
    expectNoPageErrors(testPage);
  });

  it('lists where the user is signed in, and signs another device out', async () => {
    // The API client's sign-up is "another device"; the browser is this one.
    const user = await api.createUser({ password: STRONG_PASSWORD });
    const testPage = await signInAndOpenAccount(server, user);
    const { page } = testPage;
    const list = page.getByRole('list', { name: "Where you're signed in" });
    await visible(list);
    const items = list.getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    const current = items.filter({ hasText: 'This device' });
    await visible(current.getByText(/Chrome|Chromium/));
    expect(await current.getByRole('button').count()).toBe(0);

    // Only the header's button is named "Sign out"; a row's is "End session on <device>".
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    await items.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'End session on' }).click();
    await expect.poll(() => items.count()).toBe(1);
    expect((await api.mintJwt(user.sessionToken)).status).toBe(401);
    await visible(page.getByText('You are not signed in anywhere else.'));
    expectNoPageErrors(testPage);
  });

  it('ends every other session', async () => {
    const user = await api.createUser({ password: STRONG_PASSWORD });
    const second = await api.signIn({ email: user.email, password: STRONG_PASSWORD });
    const secondToken = second.headers.get('set-auth-token')!;
    const testPage = await signInAndOpenAccount(server, user);
    const { page } = testPage;
    const items = page.getByRole('list', { name: "Where you're signed in" }).getByRole('listitem');
    await expect.poll(() => items.count()).toBe(3);
    await page.getByRole('button', { name: 'End all other sessions' }).click();
    await expect.poll(() => items.count()).toBe(1);
    expect((await api.mintJwt(user.sessionToken)).status).toBe(401);
    expect((await api.mintJwt(secondToken)).status).toBe(401);
    expectNoPageErrors(testPage);
  });

  it('changes the password, signs the other devices out, and the new password signs in', async () => {
    const user = await api.createUser({ password: STRONG_PASSWORD });
    const testPage = await signInAndOpenAccount(server, user);
    const { page } = testPage;
    expect(await page.getByRole('checkbox', { name: 'Sign out of other devices' }).isChecked()).toBe(true);

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await visible(page.getByText(/Strength: (Good|Strong)/));
    await page.getByRole('button', { name: 'Change password' }).click();
    await visible(page.getByText('Your current password is not correct.'));

    await page.getByLabel('Current password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await visible(page.getByText('Password changed. Your other devices have been signed out.'));
    expect((await api.mintJwt(user.sessionToken)).status).toBe(401);

    // This device stays signed in (a new session) and the API still answers it.
    await page.getByRole('link', { name: 'Tasks' }).click();
    await addTask(page, 'After the password change');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInThroughForm(page, { email: user.email, password: NEW_PASSWORD });
    await visible(page.getByRole('heading', { name: 'Your tasks' }));
    expectNoPageErrors(testPage);
  });

  it('exports every task (more than one page) as taskfort-export-YYYY-MM-DD.json', async () => {
    const user = await api.createUser({ name: 'Export Tester', password: STRONG_PASSWORD });
    await createTasks(api, user, 130);
    const testPage = await signInAndOpenAccount(server, user);
    const { page } = testPage;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export your data' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^taskfort-export-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
      exportedAt: string;
      user: { id: string; email: string; name: string };
      tasks: Array<Record<string, unknown>>;
    };
    expect(exported.user).toEqual({ id: user.id, email: user.email, name: 'Export Tester' });
    expect(exported.tasks).toHaveLength(130);
    expect(new Set(exported.tasks.map((task) => task.id)).size).toBe(130);
    expect(Object.keys(exported.tasks[0]!).sort()).toEqual(['completed', 'createdAt', 'description', 'dueDate', 'id', 'priority', 'title', 'updatedAt']);
    expectNoPageErrors(testPage);
  });

  it('fits 360 px in dark mode with no serious accessibility violations', async () => {
    const user = await api.createUser({ password: STRONG_PASSWORD });
    await api.signIn({ email: user.email, password: STRONG_PASSWORD });
    const testPage = await signInAndOpenAccount(server, user, { width: 360, height: 740, colorScheme: 'dark' });
    const { page } = testPage;
    await visible(page.getByRole('button', { name: 'End all other sessions' }));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshot(page, 'account-360-dark');
    await page.getByRole('button', { name: 'Delete account…' }).click();
    await visible(page.getByRole('dialog', { name: 'Delete your account?' }));
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshot(page, 'account-delete-dialog-360-dark', { fullPage: false });
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expectNoPageErrors(testPage);
  });
});

describe('password recovery on a server that cannot send mail', () => {
  let server: RunningServer;

  // Production without SMTP_URL: today's server answers RESET_PASSWORD_DISABLED, the server side
  // of issue 12 MAIL_UNAVAILABLE; the page says the same either way.
  beforeAll(async () => {
    server = await startServer({ env: { NODE_ENV: 'production', SMTP_URL: undefined } });
  });

  afterAll(() => server?.stop());

  it('says plainly that password reset is not available and whom to ask', async () => {
    const testPage = await openPage(browser, server.url);
    const { page } = testPage;
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await visible(page.getByRole('heading', { name: 'Reset your password' }));
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Email').fill(uniqueEmail('ada'));
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await visible(page.getByRole('alert').getByText(/Password reset is not available on this server.*Contact the administrator/));
    await saveScreenshot(page, 'forgot-password-unavailable');
    expectNoPageErrors(testPage);
  });
});

describe('password recovery by mail', () => {
  let server: RunningServer;
  let api: ApiClient;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    server = await startServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Taskfort <taskfort@example.com>' } });
    api = new ApiClient(server.url);
  });

  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  const linkIn = (text: string) => /https?:\/\/\S+\/reset-password\S*/.exec(text)?.[0];

  async function askForLink(page: Page, email: string) {
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await visible(page.getByRole('heading', { name: 'Reset your password' }));
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const confirmation = page.getByRole('status').filter({ hasText: 'If an account exists for' });
    await visible(confirmation);
    return (await confirmation.innerText()).replace(email, '<address>');
  }

  it('forgot → mail → reset → sign in with the new password; the link works once', async () => {
    const user = await api.createUser({ password: STRONG_PASSWORD });
    const testPage = await openPage(browser, server.url);
    const { page } = testPage;

    const confirmation = await askForLink(page, user.email);
    const mail = await smtp.waitFor(user.email);
    expect(mail.subject).toMatch(/Taskfort/);
    const link = linkIn(mail.text);
    expect(link).toBeDefined();

    await page.goto(link!);
    await page.waitForURL((url) => url.pathname === '/reset-password' && url.searchParams.has('token'));
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await visible(page.getByText(/Strength: (Good|Strong)/));
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await visible(page.getByText('Password changed: sign in with your new password.'));
    // The reset ended the sessions the account had.
    expect((await api.mintJwt(user.sessionToken)).status).toBe(401);

    await signInThroughForm(page, { email: user.email, password: NEW_PASSWORD });
    await visible(page.getByRole('heading', { name: 'Your tasks' }));

    // The same link a second time: a clear page with a way to ask again.
    const second = await openPage(browser, server.url);
    await second.page.goto(link!);
    // The page learns the link is spent when it tries it: one more password, refused as INVALID_TOKEN.
    await second.page.getByLabel('New password').fill(`${NEW_PASSWORD}-again`);
    await second.page.getByRole('button', { name: 'Set new password' }).click();
    await visible(second.page.getByRole('heading', { name: 'This reset link no longer works' }));
    await visible(second.page.getByRole('link', { name: 'Ask for a new link' }));

    // An address without an account: the same confirmation, and no mail.
    const stranger = uniqueEmail('nobody');
    expect(await askForLink(second.page, stranger)).toBe(confirmation);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(smtp.countTo(stranger)).toBe(0);
    expectNoPageErrors(testPage, second);
  });
});

describe('deleting the account', () => {
  const { server, api } = useServer();

  it('asks for the password, names what goes, deletes, and lands on the goodbye page', async () => {
    const user = await api.createUser({ password: STRONG_PASSWORD });
    await createTasks(api, user, 2);
    const testPage = await signInAndOpenAccount(server, user);
    const { page } = testPage;

    await page.getByRole('button', { name: 'Delete account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    await visible(dialog.getByText('all 2 of your tasks'));
    await dialog.getByLabel('Your password').fill('not my password');
    // The page behind is hidden while the dialog is open: one Delete button, the dialog's.
    await page.getByRole('button', { name: 'Delete' }).click();
    await visible(dialog.getByText('That password is not correct. Nothing was deleted.'));

    await dialog.getByLabel('Your password').fill(STRONG_PASSWORD);
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL((url) => url.pathname === '/goodbye');
    await visible(page.getByRole('heading', { name: 'Your account has been deleted' }));

    expect((await api.mintJwt(user.sessionToken)).status).toBe(401);
    expect((await api.signIn({ email: user.email, password: STRONG_PASSWORD })).status).toBe(401);
    await page.goto('/account');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expectNoPageErrors(testPage);
  });
});
