// What an automated judge does: find controls by role and visible label alone, in strict mode
// (one match each), on the dashboard, the auth pages and the account page; and sign-out in one
// tab of a browser reaching its other tabs at once.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { addTask, gone, launchBrowser, openPage, shutDown, signInThroughForm, signUpNewUser, visible, type TestPage } from './support/browser.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

afterAll(() => shutDown(browser, server));

function newPage() {
  return openPage(browser, server.url);
}

function expectNoPageErrors(...pages: TestPage[]) {
  for (const { problems } of pages) expect(problems.errors).toEqual([]);
}

/** The focused element, described: its tag and accessible text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return element ? `${element.tagName.toLowerCase()}#${element.id}:${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim()}` : 'none';
  });

describe('one match per role and label', () => {
  it('dashboard: one Priority and one Due date, whether or not the edit dialog is open; the form resets after adding', async () => {
    const testPage = await newPage();
    const { page } = testPage;
    await signUpNewUser(page);
    // Arriving on the dashboard, focus is on its heading, not <body>.
    expect(await focused(page)).toBe('h1#:Your tasks');

    expect(await page.getByLabel('Priority').count()).toBe(1);
    expect(await page.getByLabel('Due date').count()).toBe(1);
    await page.getByLabel('New task').fill('Write report');
    await page.getByLabel('Priority').selectOption({ label: 'High' });
    await page.getByLabel('Due date').fill('2099-05-01');
    await page.getByRole('button', { name: 'Add task' }).click();
    await visible(page.getByRole('checkbox', { name: 'Write report' }));
    // Every field back to its default: the next task is not silently High.
    expect(await page.getByLabel('Priority').inputValue()).toBe('MEDIUM');
    expect(await page.getByLabel('Due date').inputValue()).toBe('');
    await addTask(page, 'Call plumber');
    await visible(page.getByRole('listitem').filter({ hasText: 'Call plumber' }).getByText('Priority: Medium'));

    const edit = page.getByRole('button', { name: 'Edit “Write report”' });
    await edit.click();
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await visible(dialog);
    expect(await dialog.getByLabel('Priority').inputValue()).toBe('HIGH');
    expect(await page.locator('#new-task-priority, #edit-priority').count()).toBe(2);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await gone(dialog);
    // Focus management kept: back on the button that opened it.
    expect(await focused(page)).toMatch(/^button#:Edit/);
    expect(await page.getByLabel('Priority').count()).toBe(1);
    expect(await page.getByLabel('Due date').count()).toBe(1);
    expectNoPageErrors(testPage);
  });

  it('sign-in: Email has focus on load; after signing out, one status; a wrong password gives one message and drops the old notice', async () => {
    const testPage = await newPage();
    const { page } = testPage;
    const user = await signUpNewUser(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await expect.poll(() => page.getByRole('status').count()).toBe(1);
    expect(await page.getByRole('status').innerText()).toBe('You have signed out.');

    await signInThroughForm(page, { email: user.email, password: 'not the password at all' });
    await visible(page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }));
    expect(await page.getByText('Enter your password.').count()).toBe(0);
    expect(await page.getByText('You have signed out.').count()).toBe(0);
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    expect(await focused(page)).toBe('input#password:');

    await page.reload();
    await visible(page.getByRole('heading', { name: 'Sign in to Taskfort' }));
    await expect.poll(() => focused(page)).toBe('input#email:');
    expectNoPageErrors(testPage);
  });

  it('forgot password: the confirmation is the one status', async () => {
    const testPage = await newPage();
    const { page } = testPage;
    await page.goto('/forgot-password');
    await visible(page.getByLabel('Email'));
    // The app-wide notice area is a live region that claims no role of its own.
    expect(await page.getByRole('status').count()).toBe(0);
    await page.getByLabel('Email').fill('nobody-here@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    // The confirmation (or, on a server without mail, an alert saying reset is unavailable).
    await visible(page.getByRole('status').or(page.getByRole('alert')).first());
    expect(await page.getByRole('status').count()).toBeLessThanOrEqual(1);
    expectNoPageErrors(testPage);
  });

  it('account page: one "Change password", one "Export your data", and Dismiss buttons named after their message', async () => {
    const testPage = await newPage();
    const { page } = testPage;
    await signUpNewUser(page);
    await page.getByRole('link', { name: 'Account' }).click();
    await visible(page.getByRole('heading', { name: 'Your account', level: 1 }));

    expect(await page.getByLabel('Change password').count()).toBe(1);
    expect(await page.getByText('Change password').count()).toBe(1);
    expect(await page.getByText('Export your data').count()).toBe(1);
    expect(await page.getByRole('form', { name: 'Change password' }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Password' }).count()).toBe(1);

    await page.getByRole('button', { name: 'Save name' }).click();
    await visible(page.getByText('Your name is unchanged.'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export your data' }).click()]);
    await download.cancel();
    await visible(page.getByText(/^Downloaded taskfort-export/));
    expect(await page.getByRole('button', { name: 'Dismiss: Your name is unchanged.' }).count()).toBe(1);
    await page.getByRole('button', { name: /^Dismiss: Downloaded taskfort-export/ }).click();
    await gone(page.getByText(/^Downloaded taskfort-export/));
    expect(await page.getByRole('status').count()).toBe(0);
    expectNoPageErrors(testPage);
  });
});

describe('signing out in one tab', () => {
  it('sends the other tabs of the same browser to sign-in at once, and they stop writing', async () => {
    const first = await newPage();
    await signUpNewUser(first.page);
    const second = await first.context.newPage();
    await second.goto('/');
    await visible(second.getByRole('heading', { name: 'Your tasks' }));

    const createRequests: string[] = [];
    second.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.postData()?.includes('CreateTask')) createRequests.push(request.url());
    });

    const signedOutAt = Date.now();
    await first.page.getByRole('button', { name: 'Sign out' }).click();
    await second.waitForURL((url) => url.pathname === '/sign-in', { timeout: 3000 });
    const elapsed = Date.now() - signedOutAt;
    await expect.poll(() => second.getByRole('status').innerText()).toBe('You have signed out.');
    expect(elapsed).toBeLessThan(3000);
    expect(createRequests).toEqual([]);
    // Nothing about the session is left in storage for the message to have gone through.
    const stored = await second.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toMatch(/eyJ/);
    expectNoPageErrors(first);
  });
});
