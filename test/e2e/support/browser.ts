import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../../support/availability.js';
import { repoRoot, type RunningServer } from '../../support/server.js';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Waits until the element is visible (playwright-core has no expect of its own). On a timeout,
 * the error says what the page showed instead, and a screenshot goes to test-results/failures/.
 */
export async function visible(locator: Locator, timeout = 20_000) {
  try {
    await locator.waitFor({ state: 'visible', timeout });
  } catch (error) {
    const page = locator.page();
    const failureDir = join(repoRoot, 'test-results', 'failures');
    mkdirSync(failureDir, { recursive: true });
    const screenshot = join(failureDir, `${Date.now()}.png`);
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
    const shown = await page
      .locator('body')
      .innerText()
      .catch(() => '(page closed)');
    throw new Error(`${(error as Error).message}\nThe page (${page.url()}) showed:\n${shown}\nScreenshot: ${screenshot}`, { cause: error });
  }
}

/** Waits until the element is hidden (a closed <dialog>) or gone. */
export function hidden(locator: Locator, timeout = 20_000) {
  return locator.waitFor({ state: 'hidden', timeout });
}

/** Waits until the element is gone from the page. */
export function gone(locator: Locator, timeout = 20_000) {
  return locator.waitFor({ state: 'detached', timeout });
}

export type ColorScheme = 'light' | 'dark';

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: ColorScheme;
}

/**
 * Problems the page reported: uncaught exceptions, console errors (CSP violations among them)
 * and failed requests. Expected HTTP refusals (a wrong password is a 401) are listed separately.
 */
export interface PageProblems {
  errors: string[];
  refusedResponses: string[];
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

export async function openPage(browser: Browser, baseURL: string, options: PageOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [], refusedResponses: [] };
  page.on('pageerror', (error) => problems.errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every 4xx as "Failed to load resource"; those are checked through responses.
    if (message.text().startsWith('Failed to load resource')) return;
    problems.errors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.refusedResponses.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    // Navigation away aborts in-flight requests; that is not a problem of the page.
    if (!failure.includes('ERR_ABORTED')) problems.errors.push(`request failed: ${request.url()} ${failure}`);
  });
  return { context, page, problems };
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

export const STRONG_PASSWORD = 'violet tractor harbour sings';

export async function signUpThroughForm(page: Page, user: { name: string; email: string; password: string }) {
  await visible(page.getByRole('heading', { name: 'Create your Taskfort account' }));
  await page.getByLabel('Name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

export async function signInThroughForm(page: Page, user: { email: string; password: string }) {
  // Both auth pages have Email and Password fields: be sure which page is showing.
  await visible(page.getByRole('heading', { name: 'Sign in to Taskfort' }));
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Creates an account through the UI and waits for the dashboard. */
export async function signUpNewUser(page: Page, name = 'Ada Lovelace') {
  const user = { name, email: uniqueEmail(name.split(' ')[0]!.toLowerCase()), password: STRONG_PASSWORD };
  await page.goto('/sign-up');
  await signUpThroughForm(page, user);
  await visible(page.getByRole('heading', { name: 'Your tasks' }));
  return user;
}

/** Adds a task with the New task field and waits until the server has confirmed it. */
export async function addTask(page: Page, title: string) {
  const field = page.getByLabel('New task');
  await field.fill(title);
  await field.press('Enter');
  await visible(page.getByRole('checkbox', { name: title }));
  // Shown at once (optimistic) but disabled until the server has given it an id.
  await page.getByRole('checkbox', { name: title }).and(page.locator(':enabled')).waitFor({ timeout: 20_000 });
}

/** Axe violations that matter: serious and critical ones, with what failed where. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');

/** Saves test-results/screenshots/<name>.png: the whole page, or only the viewport (for dialogs and toasts). */
export async function saveScreenshot(page: Page, name: string, { fullPage = true } = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage, animations: 'disabled' });
}

/**
 * Stops the browser and the server. If the server died during the tests (a refused connection in
 * the browser is otherwise all one sees), its output is printed to explain why.
 */
export async function shutDown(browser: Browser | undefined, server: RunningServer | undefined) {
  if (server && (server.process.exitCode !== null || server.process.signalCode !== null)) {
    console.error(`[e2e] the server stopped during the tests (exit ${server.process.exitCode}, signal ${server.process.signalCode}):\n${server.output()}`);
  }
  await browser?.close();
  await server?.stop();
}
