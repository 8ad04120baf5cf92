// The web app in a real browser (headless Chromium) against the real server, as a user drives it:
// controls are found by role and visible label.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';
import {
  addTask,
  gone,
  hidden,
  launchBrowser,
  openPage,
  shutDown,
  signInThroughForm,
  signUpNewUser,
  signUpThroughForm,
  STRONG_PASSWORD,
  uniqueEmail,
  visible,
  type TestPage,
} from './support/browser.js';

let server: RunningServer;
let browser: Browser;
let api: ApiClient;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  api = new ApiClient(server.url);
});

afterAll(() => shutDown(browser, server));

/** A fresh browser context (own cookies) and page; all close with the browser. */
function newPage(options?: Parameters<typeof openPage>[2]) {
  return openPage(browser, server.url, options);
}

/** Every page opened by a test reported no uncaught error, console error or CSP violation. */
function expectNoPageErrors(...pages: TestPage[]) {
  for (const { problems } of pages) expect(problems.errors).toEqual([]);
}

const pathWithQuery = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

const alertTexts = (page: Page) => page.getByRole('alert').allInnerTexts();

describe('signing up and signing in', () => {
  it('guards the dashboard, refuses a weak password, and returns the new user to where they were going', async () => {
    const testPage = await newPage();
    const { page } = testPage;
    const signUpRequests: string[] = [];
    page.on('request', (request) => request.url().includes('/api/auth/sign-up') && signUpRequests.push(request.url()));

    await page.goto('/?status=active');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/?status=active');
    await visible(page.getByRole('heading', { name: 'Sign in to Taskfort' }));

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-up');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/?status=active');

    const user = { name: 'Grace Hopper', email: uniqueEmail('grace'), password: 'short' };
    await signUpThroughForm(page, user);
    await visible(page.getByText('Use at least 8 characters.'));
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Password', { exact: true }).fill('password123');
    await visible(page.getByText(/Strength: (Very weak|Weak)/));
    await page.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByText(/This password is too easy to guess/));
    expect(signUpRequests).toEqual([]);

    await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await visible(page.getByText(/Strength: (Good|Strong)/));
    await page.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByRole('heading', { name: 'Your tasks' }));
    expect(pathWithQuery(page)).toBe('/?status=active');
    expect(await page.getByRole('button', { name: 'Active' }).getAttribute('aria-pressed')).toBe('true');
    expect(signUpRequests).toHaveLength(1);

    const header = page.getByRole('banner');
    await visible(header.getByText('Grace Hopper'));
    await visible(header.getByText(user.email));
    const graphiql = page.getByRole('link', { name: 'GraphiQL' });
    expect(await graphiql.getAttribute('href')).toBe('/graphql');
    expect(await graphiql.getAttribute('target')).toBe('_blank');
    expect(await graphiql.getAttribute('rel')).toContain('noopener');

    // Signed in, the sign-in page sends the user home.
    await page.goto('/sign-in');
    await page.waitForURL((url) => url.pathname === '/' && url.search === '');
    await visible(page.getByRole('heading', { name: 'Your tasks' }));
    expectNoPageErrors(testPage);
  });

  it('answers a wrong password and an unknown email with the same message, then signs in', async () => {
    const existing = await api.createUser({ name: 'Alan Turing', email: uniqueEmail('alan') });
    const testPage = await newPage();
    const { page } = testPage;
    await page.goto('/sign-in');

    await signInThroughForm(page, { email: existing.email, password: 'not the right password' });
    await visible(page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }));
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');

    await signInThroughForm(page, { email: uniqueEmail('nobody'), password: 'not the right password' });
    await visible(page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }));
    expect(await alertTexts(page)).toEqual(['Incorrect email or password.']);

    await signInThroughForm(page, existing);
    await visible(page.getByRole('heading', { name: 'Your tasks' }));
    await visible(page.getByRole('banner').getByText('Alan Turing'));
    expect(testPage.problems.refusedResponses).toEqual(['401 /api/auth/sign-in/email', '401 /api/auth/sign-in/email']);
    expectNoPageErrors(testPage);
  });

  it('explains that an email is already registered', async () => {
    const existing = await api.createUser({ email: uniqueEmail('taken') });
    const testPage = await newPage();
    const { page } = testPage;
    await page.goto('/sign-up');
    await signUpThroughForm(page, { name: 'Someone Else', email: existing.email, password: STRONG_PASSWORD });
    await visible(page.getByRole('alert').filter({ hasText: 'An account with this email already exists.' }));
    expect(new URL(page.url()).pathname).toBe('/sign-up');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expectNoPageErrors(testPage);
  });
});

describe('working with tasks', () => {
  it('adds, ticks, edits, deletes after confirming, filters and searches; reload keeps tasks and session; sign-out ends it', async () => {
    const testPage = await newPage();
    const { page } = testPage;
    await signUpNewUser(page, 'Katherine Johnson');
    await visible(page.getByText('No tasks yet.'));

    await addTask(page, 'Buy milk');
    await addTask(page, 'Write report');
    await addTask(page, 'Call the bank');
    const list = page.getByRole('list', { name: 'Tasks' });
    expect(await list.getByRole('listitem').count()).toBe(3);
    await visible(page.getByText('3 tasks'));

    // Tick: the checkbox's accessible name is the title.
    const buyMilk = page.getByRole('checkbox', { name: 'Buy milk' });
    await buyMilk.check();
    expect(await buyMilk.isChecked()).toBe(true);

    // Edit in a dialog: title, description, priority, due date.
    await page.getByRole('button', { name: 'Edit “Write report”' }).click();
    const editDialog = page.getByRole('dialog', { name: 'Edit task' });
    await visible(editDialog);
    await editDialog.getByLabel('Title').fill('Write quarterly report');
    await editDialog.getByLabel('Description').fill('Numbers from Q3');
    await editDialog.getByLabel('Priority').selectOption({ label: 'High' });
    await editDialog.getByLabel('Due date').fill('2099-01-31');
    await editDialog.getByRole('button', { name: 'Save' }).click();
    await hidden(editDialog);
    const report = list.getByRole('listitem').filter({ hasText: 'Write quarterly report' });
    await visible(report.getByText('Numbers from Q3'));
    await visible(report.getByText('High'));
    await visible(report.locator('time[datetime="2099-01-31"]'));

    // Cancel keeps the task as it was.
    await page.getByRole('button', { name: 'Edit “Call the bank”' }).click();
    await editDialog.getByLabel('Title').fill('Something else');
    await editDialog.getByRole('button', { name: 'Cancel' }).click();
    await visible(page.getByRole('checkbox', { name: 'Call the bank' }));

    // Delete asks first; cancelling keeps the task.
    await page.getByRole('button', { name: 'Delete “Call the bank”' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this task?' });
    await visible(confirm);
    await visible(confirm.getByText('“Call the bank” will be deleted.'));
    // The page behind the dialog is hidden: its Delete and Cancel buttons do not compete.
    expect(await page.locator('#app').getAttribute('aria-hidden')).toBe('true');
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await visible(page.getByRole('checkbox', { name: 'Call the bank' }));
    expect(await page.locator('#app').getAttribute('aria-hidden')).toBeNull();
    await page.getByRole('button', { name: 'Delete “Call the bank”' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await gone(page.getByRole('checkbox', { name: 'Call the bank' }));
    await visible(page.getByText('2 tasks'));

    // Filters.
    await page.getByRole('button', { name: 'Completed' }).click();
    await page.waitForURL((url) => url.search === '?status=completed');
    await visible(page.getByRole('checkbox', { name: 'Buy milk' })); // the Completed list has arrived
    expect(await list.getByRole('checkbox').count()).toBe(1);
    await page.getByRole('button', { name: 'Active' }).click();
    await visible(page.getByRole('checkbox', { name: 'Write quarterly report' }));
    await gone(page.getByRole('checkbox', { name: 'Buy milk' }));
    await page.getByRole('button', { name: 'All' }).click();
    await visible(page.getByRole('checkbox', { name: 'Buy milk' }));

    // Search (title or description) and sort.
    await page.getByLabel('Search').fill('q3');
    await gone(page.getByRole('checkbox', { name: 'Buy milk' }));
    await visible(page.getByRole('checkbox', { name: 'Write quarterly report' }));
    await page.getByLabel('Search').fill('nothing like this');
    await visible(page.getByText('No tasks match this view.'));
    await page.getByLabel('Search').fill('');
    await visible(page.getByRole('checkbox', { name: 'Buy milk' }));
    await page.getByLabel('Sort by').selectOption({ label: 'Priority' });
    await page.waitForURL((url) => url.search === '?sort=priority');
    await visible(page.getByRole('checkbox', { name: 'Buy milk' }));
    expect(await list.getByRole('checkbox').evaluateAll((boxes) => boxes.map((box) => box.closest('li')?.querySelector('label')?.textContent?.trim()))).toEqual(
      ['Write quarterly report', 'Buy milk'],
    );

    // Reload: the session and the tasks (from the server) are still there, in the same view.
    await page.reload();
    await visible(page.getByRole('checkbox', { name: 'Write quarterly report' }));
    expect(pathWithQuery(page)).toBe('/?sort=priority');
    expect(await page.getByRole('checkbox', { name: 'Buy milk' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Write quarterly report' }).isChecked()).toBe(false);

    // Sign out: back to sign-in, and the dashboard is guarded again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await visible(page.getByText('You have signed out.'));
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expectNoPageErrors(testPage);
  });

  it('never shows one user anything of another', async () => {
    const first = await newPage();
    await signUpNewUser(first.page, 'First Person');
    await addTask(first.page, 'Secret plan of the first user');

    const second = await newPage();
    await signUpNewUser(second.page, 'Second Person');
    await visible(second.page.getByText('No tasks yet.'));
    await second.page.getByLabel('Search').fill('Secret');
    await visible(second.page.getByText('No tasks match this view.'));
    expect(await second.page.getByText('Secret plan').count()).toBe(0);

    // Same browser, one after the other: sign out, sign in as someone else.
    await first.page.getByRole('button', { name: 'Sign out' }).click();
    await first.page.waitForURL((url) => url.pathname === '/sign-in');
    const third = await api.createUser({ name: 'Third Person' });
    await signInThroughForm(first.page, third);
    await visible(first.page.getByText('No tasks yet.'));
    expect(await first.page.getByText('Secret plan').count()).toBe(0);
    expectNoPageErrors(first, second);
  });

  it('works with the keyboard alone, with a visible focus ring', async () => {
    const testPage = await newPage();
    const { page } = testPage;
    const user = await api.createUser({ name: 'Keyboard User' });
    await page.goto('/sign-in');
    await visible(page.getByLabel('Email')); // the app has rendered the form

    const focusedLabel = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element) return '';
        const labelled = element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : null;
        return (element.getAttribute('aria-label') ?? labelled ?? element.textContent ?? '').replace(/\s+/g, ' ').trim();
      });
    const focusRing = () => page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);

    // Email has focus when the page opens; the skip link is just before it.
    await expect.poll(focusedLabel).toBe('Email');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedLabel()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Email');
    expect(await focusRing()).toBe('solid');
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Password');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { name: 'Your tasks' }));
    // Signed in: focus starts at the dashboard's heading (not <body>), and the next Tab reaches New task.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Your tasks');
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('New task');
    await page.keyboard.type('Keyboard task');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('checkbox', { name: 'Keyboard task' }));
    expect(await focusedLabel()).toBe('New task');
    await page.getByRole('checkbox', { name: 'Keyboard task' }).and(page.locator(':enabled')).waitFor(); // confirmed by the server

    await page.getByRole('checkbox', { name: 'Keyboard task' }).focus();
    expect(await focusRing()).toBe('solid');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement).checked === true);

    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Edit “Keyboard task”');
    await page.keyboard.press('Enter');
    const editDialog = page.getByRole('dialog', { name: 'Edit task' });
    await visible(editDialog);
    expect(await focusedLabel()).toBe('Title');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    expect(await focusedLabel()).toBe('Edit “Keyboard task”');

    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // Delete
    await visible(page.getByRole('dialog', { name: 'Delete this task?' }));
    expect(await focusedLabel()).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await gone(page.getByRole('checkbox', { name: 'Keyboard task' }));
    expect(await focusedLabel()).toBe('New task');
    expectNoPageErrors(testPage);
  });
});
