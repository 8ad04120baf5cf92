import { type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reconnectDelay } from '../composables/useLiveTaskUpdates';
import { makeTask } from '../testing/fakeTaskApi';
import { renderDashboard } from '../testing/renderDashboard';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});

const until = (check: () => void, timeout = 3000) => vi.waitFor(check, { timeout, interval: 10 });
const titles = (wrapper: VueWrapper) => wrapper.findAll('ul.task-list > li').map((item) => item.get('label').text());
/** The text of the notice area's one polite live region (it holds the "Reconnecting…" message too). */
function liveStatus() {
  const regions = document.querySelectorAll('.notices [aria-live="polite"]');
  expect(regions).toHaveLength(1);
  return regions[0]!.textContent!.trim();
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('dashboard live updates', () => {
  it('subscribes once, with the JWT from the in-memory store', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk' })]);
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    await until(() => expect(api.openStreams()).toBe(1));
    expect(api.streamRequests).toHaveLength(1);
    expect(api.streamRequests[0]!.headers.get('authorization')).toMatch(/^Bearer \S+$/);
    expect(api.streamRequests[0]!.headers.get('accept')).toContain('text/event-stream');
    expect(api.streamRequests[0]!.credentials).toBe('omit');
  });

  it('applies changes made elsewhere to the list: created (in sort order), updated, completed, deleted', async () => {
    const older = makeTask({ title: 'Older' });
    const { wrapper, api } = await renderDashboard([older]);
    await until(() => expect(api.openStreams()).toBe(1));
    await until(() => expect(titles(wrapper)).toEqual(['Older']));

    const newer = makeTask({ title: 'Made on the phone' });
    api.emitTaskEvent('CREATED', newer);
    await until(() => expect(titles(wrapper)).toEqual(['Made on the phone', 'Older']));
    expect(wrapper.text()).toContain('2 tasks');

    api.emitTaskEvent('UPDATED', { ...older, title: 'Older, renamed', completed: true });
    await until(() => expect(titles(wrapper)).toEqual(['Made on the phone', 'Older, renamed']));
    expect(wrapper.findAll<HTMLInputElement>('input[type="checkbox"]')[1]!.element.checked).toBe(true);

    api.emitTaskEvent('DELETED', newer);
    await until(() => expect(titles(wrapper)).toEqual(['Older, renamed']));
    expect(wrapper.text()).toContain('1 task');
  });

  it('moves a task out of a filtered view when an event says it no longer matches', async () => {
    const task = makeTask({ title: 'Still open' });
    const { wrapper, api } = await renderDashboard([task], '/?status=active');
    await until(() => expect(titles(wrapper)).toEqual(['Still open']));
    await until(() => expect(api.openStreams()).toBe(1));
    api.emitTaskEvent('UPDATED', { ...task, completed: true });
    await until(() => expect(wrapper.text()).toContain('No tasks match this view.'));
  });

  it('does not apply its own change twice when the server echoes it back', async () => {
    const { wrapper, api } = await renderDashboard();
    await until(() => expect(api.openStreams()).toBe(1));
    await wrapper.get('form.new-task input').setValue('Mine');
    await wrapper.get('form.new-task').trigger('submit');
    await until(() => expect(api.tasks).toHaveLength(1));
    const created = api.tasks[0]!;
    api.emitTaskEvent('UPDATED', created); // the echo carries the same task; nothing moves or doubles
    api.emitTaskEvent('DELETED', created);
    await until(() => expect(titles(wrapper)).toEqual([]));
    api.emitTaskEvent('DELETED', created);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The echo of a delete already applied here neither fails nor refetches.
    expect(api.requestsFor('TaskList')).toHaveLength(1);
  });

  it('says "Reconnecting…" while the stream is down, reconnects, then refetches what it shows', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Before' })]);
    await until(() => expect(api.openStreams()).toBe(1));
    await until(() => expect(titles(wrapper)).toEqual(['Before']));
    expect(liveStatus()).toBe('');

    api.dropStreams(1); // the first reconnect attempt is refused too
    await until(() => expect(liveStatus()).toBe('Reconnecting…'));
    // A change made while disconnected: no event will ever carry it.
    api.tasks.push(makeTask({ title: 'Made while offline' }));

    await until(() => expect(api.streamRequests.length).toBeGreaterThanOrEqual(3), 8000);
    await until(() => expect(liveStatus()).toBe(''), 8000);
    await until(() => expect(titles(wrapper)).toEqual(['Made while offline', 'Before']));
    expect(api.requestsFor('TaskList').length).toBeGreaterThanOrEqual(2);
  }, 20_000);
});

describe('reconnectDelay', () => {
  it('doubles its window per attempt up to the maximum, and spreads tabs over the upper half of it', () => {
    expect(reconnectDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(reconnectDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(reconnectDelay(3, 500, 30_000, () => 0.5)).toBe(3000);
    expect(reconnectDelay(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});
