// Axe scans (no serious or critical violations) of every page in light and dark mode, at a phone
// width and a desktop width, with screenshots of each state in test-results/screenshots/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';
import {
  hidden,
  launchBrowser,
  openPage,
  shutDown,
  saveScreenshot,
  seriousAccessibilityViolations,
  signInThroughForm,
  visible,
  type ColorScheme,
} from './support/browser.js';

let server: RunningServer;
let browser: Browser;
let user: TestUser;

const WIDTHS = [360, 1280] as const;
const SCHEMES: ColorScheme[] = ['light', 'dark'];

function isoDate(offsetDays: number): string {
  const date = new Date(Date.now() + offsetDays * 86_400_000);
  return date.toISOString().slice(0, 10);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const api = new ApiClient(server.url);
  user = await api.createUser({ name: 'Mary Jackson', email: `mary-${Date.now()}@example.com` });
  const tasks = [
    { title: 'Renew passport', priority: 'HIGH', dueDate: isoDate(-2), description: 'Photos are in the desk drawer.' },
    { title: 'Book flights to Lisbon for the conference in spring', priority: 'MEDIUM', dueDate: isoDate(20) },
    { title: 'Water the plants', priority: 'LOW' },
    { title: 'Send the quarterly report', priority: 'HIGH', dueDate: isoDate(3), description: 'Numbers from finance, charts from Sam.' },
  ];
  for (const input of tasks) {
    const response = await api.graphql('mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }', { input }, { token: user.jwt });
    expect(response.errors).toBeUndefined();
  }
  const done = await api.graphql(
    'mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }',
    { input: { title: 'Buy milk' } },
    { token: user.jwt },
  );
  await api.graphql('mutation($id: ID!) { toggleTask(id: $id) { id } }', { id: done.data?.createTask.id }, { token: user.jwt });
});

afterAll(() => shutDown(browser, server));

/** Scans the page and saves a screenshot in both colour schemes. */
async function checkInBothSchemes(page: Page, name: string, width: number, { fullPage = true } = {}) {
  const violations: string[] = [];
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await saveScreenshot(page, `${name}-${width}-${scheme}`, { fullPage });
    violations.push(...(await seriousAccessibilityViolations(page)).map((violation) => `[${name} ${width}px ${scheme}] ${violation}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return violations;
}

/** Nothing is wider than the viewport: no sideways scrolling on a phone. */
async function expectNoHorizontalScroll(page: Page, width: number) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(width);
}

describe.each(WIDTHS)('at %i px', (width) => {
  it('sign-in, sign-up and dashboard have no serious accessibility violations in light or dark mode', async () => {
    const testPage = await openPage(browser, server.url, { width, height: width < 500 ? 740 : 860 });
    const { page } = testPage;
    const violations: string[] = [];

    await page.goto('/sign-in');
    await visible(page.getByRole('heading', { name: 'Sign in to Taskfort' }));
    violations.push(...(await checkInBothSchemes(page, 'sign-in', width)));
    await expectNoHorizontalScroll(page, width);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Mary');
    await page.getByLabel('Email').fill('mary@');
    await page.getByLabel('Password', { exact: true }).fill('password1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByText('Enter a valid email address, like name@example.com.'));
    await visible(page.getByText(/Strength: /));
    violations.push(...(await checkInBothSchemes(page, 'sign-up-errors', width)));
    await page.getByLabel('Email').fill('mary@example.com');
    await page.getByLabel('Password', { exact: true }).fill('violet tractor harbour sings');
    await visible(page.getByText(/Strength: (Good|Strong)/));
    violations.push(...(await checkInBothSchemes(page, 'sign-up', width)));
    await expectNoHorizontalScroll(page, width);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInThroughForm(page, user);
    await visible(page.getByRole('checkbox', { name: 'Renew passport' }));
    violations.push(...(await checkInBothSchemes(page, 'dashboard', width)));
    await expectNoHorizontalScroll(page, width);

    await page.getByRole('button', { name: 'Edit “Send the quarterly report”' }).click();
    const editDialog = page.getByRole('dialog', { name: 'Edit task' });
    await visible(editDialog);
    violations.push(...(await checkInBothSchemes(page, 'dashboard-edit-dialog', width, { fullPage: false })));
    await editDialog.getByRole('button', { name: 'Cancel' }).click();
    await hidden(editDialog);

    await page.getByRole('button', { name: 'Delete “Water the plants”' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this task?' });
    await visible(confirm);
    violations.push(...(await checkInBothSchemes(page, 'dashboard-delete-dialog', width, { fullPage: false })));
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await hidden(confirm);

    // A refused change: rolled back, with an alert.
    await page.route('**/graphql', async (route) => {
      if (!route.request().postData()?.includes('ToggleTask')) return route.continue();
      await route.fulfill({
        status: 403,
        contentType: 'application/graphql-response+json',
        body: JSON.stringify({ data: null, errors: [{ message: 'You do not have access to this resource.', extensions: { code: 'FORBIDDEN' } }] }),
      });
    });
    // click, not check(): the refusal comes back so fast that the box may already be unticked again.
    await page.getByRole('checkbox', { name: 'Water the plants' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'Could not complete “Water the plants”' }));
    expect(await page.getByRole('checkbox', { name: 'Water the plants' }).isChecked()).toBe(false);
    violations.push(...(await checkInBothSchemes(page, 'dashboard-refused-change', width, { fullPage: false })));
    await page.unroute('**/graphql');
    await page.getByRole('button', { name: /^Dismiss: Could not complete “Water the plants”/ }).click();

    await page.getByLabel('Search').fill('nothing matches this');
    await visible(page.getByText('No tasks match this view.'));
    violations.push(...(await checkInBothSchemes(page, 'dashboard-no-match', width)));
    await expectNoHorizontalScroll(page, width);

    expect(violations).toEqual([]);
    expect(testPage.problems.errors).toEqual([]);
    await testPage.context.close();
  });
});
