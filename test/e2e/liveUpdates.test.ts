// Live updates in real browsers: two contexts (two devices) of one user and a third user's.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { addTask, gone, launchBrowser, openPage, shutDown, signInThroughForm, signUpNewUser, visible } from './support/browser.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ readyTimeoutMs: 150_000 }), launchBrowser()]);
});
afterAll(() => shutDown(browser, server));

/** Resolves when the page's live stream (GraphQL over SSE) has been answered. */
function liveStreamOpened(page: Page): Promise<unknown> {
  return page.waitForResponse((response) => response.url().endsWith('/graphql') && (response.headers()['content-type'] ?? '').includes('text/event-stream'), {
    timeout: 60_000,
  });
}

/** Resolves with the time this page's mutation answer arrived. */
function mutationAnswered(page: Page, operationName: string): Promise<number> {
  return page
    .waitForResponse(
      (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes(`"operationName":"${operationName}"`),
      {
        timeout: 60_000,
      },
    )
    .then(() => Date.now());
}

describe('live updates between browsers', () => {
  it('shows a change made in one context in the other within 1 s; another user sees nothing', async () => {
    const laptop = await openPage(browser, server.url);
    const laptopLive = liveStreamOpened(laptop.page);
    const user = await signUpNewUser(laptop.page, 'Grace Hopper');
    await laptopLive;

    const phone = await openPage(browser, server.url);
    const phoneLive = liveStreamOpened(phone.page);
    await phone.page.goto('/');
    await signInThroughForm(phone.page, user);
    await visible(phone.page.getByRole('heading', { name: 'Your tasks' }));
    await phoneLive;

    const stranger = await openPage(browser, server.url);
    const strangerLive = liveStreamOpened(stranger.page);
    await signUpNewUser(stranger.page, 'Someone Else');
    await strangerLive;
    await visible(stranger.page.getByText('No tasks yet.'));

    // Created on the laptop: appears on the phone.
    const created = mutationAnswered(laptop.page, 'CreateTask');
    await addTask(laptop.page, 'Call the plumber');
    const createdAt = await created;
    await visible(phone.page.getByRole('checkbox', { name: 'Call the plumber' }), 5_000);
    const createLatency = Date.now() - createdAt;

    // Completed on the phone: ticked on the laptop.
    const toggled = mutationAnswered(phone.page, 'ToggleTask');
    await phone.page.getByRole('checkbox', { name: 'Call the plumber' }).check();
    const toggledAt = await toggled;
    await laptop.page.getByRole('checkbox', { name: 'Call the plumber', checked: true }).waitFor({ timeout: 5_000 });
    const toggleLatency = Date.now() - toggledAt;

    console.log(`[live e2e] created → other context ${createLatency} ms; toggled → other context ${toggleLatency} ms`);
    expect(createLatency).toBeLessThanOrEqual(1000);
    expect(toggleLatency).toBeLessThanOrEqual(1000);

    // Each context shows the task once (its own change is not applied twice).
    expect(await laptop.page.getByRole('checkbox', { name: 'Call the plumber' }).count()).toBe(1);
    expect(await phone.page.getByRole('checkbox', { name: 'Call the plumber' }).count()).toBe(1);
    // Its own change echoed back by the stream is not counted twice either.
    await laptop.page.getByText('1 task', { exact: true }).waitFor({ timeout: 5_000 });
    expect(await laptop.page.getByText('1 task', { exact: true }).count()).toBe(1);

    // The other user's page saw nothing, and no page lost its stream.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stranger.page.getByRole('checkbox').count()).toBe(0);
    await visible(stranger.page.getByText('No tasks yet.'));
    for (const { page } of [laptop, phone, stranger]) expect(await page.getByText('Reconnecting…').count()).toBe(0);
    for (const { problems } of [laptop, phone, stranger]) expect(problems.errors).toEqual([]);
  });

  it('says "Reconnecting…" in the one status region of the page while the stream is down', async () => {
    const testPage = await openPage(browser, server.url);
    const { page } = testPage;
    // Every live stream is refused until unrouted; the rest of the API answers as usual.
    const isStream = (body: string | null) => (body ?? '').includes('"operationName":"TaskEvents"');
    await page.route('**/graphql', (route) => (isStream(route.request().postData()) ? route.fulfill({ status: 503, body: '' }) : route.continue()));
    await signUpNewUser(page, 'Offline User');
    await visible(page.getByText('No tasks yet.'));

    // Said in the notice area's polite live region (no role="status": a page's own status stays the only one).
    const liveRegion = page.locator('.notices [aria-live="polite"]');
    await visible(liveRegion.getByText('Reconnecting…'));
    expect(await liveRegion.count()).toBe(1);
    expect(await liveRegion.innerText()).toContain('Reconnecting…');
    expect(await page.getByRole('status').count()).toBe(0);

    await page.unroute('**/graphql');
    await gone(page.getByText('Reconnecting…'), 40_000);
    expect(await liveRegion.count()).toBe(1);
  });
});
