import { DOMWrapper, enableAutoUnmount, flushPromises, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useNotices } from '../composables/useNotices';
import { makeTask } from '../testing/fakeTaskApi';
import { renderDashboard } from '../testing/renderDashboard';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 10 });
const items = (wrapper: VueWrapper) => wrapper.findAll('ul.task-list > li');
const titles = (wrapper: VueWrapper) => items(wrapper).map((item) => item.get('label').text());

/** The checkbox whose <label> holds this title (its accessible name). */
function checkboxFor(wrapper: VueWrapper, title: string) {
  const label = wrapper.findAll('label').find((node) => node.text() === title);
  if (!label) throw new Error(`no task titled ${title}`);
  return wrapper.get<HTMLInputElement>(`input[type="checkbox"]#${label.attributes('for')}`);
}

function itemFor(wrapper: VueWrapper, title: string) {
  const item = items(wrapper).find((node) => node.get('label').text() === title);
  if (!item) throw new Error(`no task titled ${title}`);
  return item;
}

/** The button with this accessible name (its aria-label, or else its text). */
function buttonNamed(root: VueWrapper | DOMWrapper<Element>, name: string) {
  const button = root.findAll('button').find((node) => (node.attributes('aria-label') ?? node.text().replace(/\s+/g, ' ').trim()) === name);
  if (!button) throw new Error(`no button named ${name}`);
  return button;
}

/** A dialog: teleported to <body>, outside the component tree the wrapper searches. */
function dialogLabelledBy(titleId: string) {
  const dialog = document.querySelector<HTMLDialogElement>(`dialog[aria-labelledby="${titleId}"]`);
  if (!dialog) throw new Error(`no dialog labelled by #${titleId}`);
  return new DOMWrapper(dialog);
}

const appRoot = () => document.getElementById('app')!;

const alerts = () => [...document.querySelectorAll('[role="alert"]')].map((node) => node.textContent?.replace(/\s+/g, ' ').trim());

// Unmounted after each test: a dialog a test left open must not leave the next test's app inert.
enableAutoUnmount(afterEach);
afterEach(() => {
  document.body.innerHTML = '';
});

describe('dashboard task list', () => {
  it('shows a loading state, then each task with a labelled checkbox, priority and due date', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk', priority: 'HIGH', dueDate: '2099-03-05' })]);
    const release = api.hold('TaskList');
    expect(wrapper.get('[role="status"]').text()).toContain('Loading tasks');
    release();
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    const item = itemFor(wrapper, 'Buy milk');
    expect(checkboxFor(wrapper, 'Buy milk').element.checked).toBe(false);
    expect(item.text()).toContain('Priority: High');
    expect(item.get('time').attributes('datetime')).toBe('2099-03-05');
    expect(item.text()).toMatch(/Due .*2099/);
    expect(wrapper.text()).toContain('1 task');
  });

  it('invites to add a first task when there are none, and says so when a filter matches nothing', async () => {
    const { wrapper } = await renderDashboard();
    await until(() => expect(wrapper.text()).toContain('No tasks yet.'));
    const { wrapper: filtered } = await renderDashboard([makeTask({ title: 'Open task' })], '/?status=completed');
    await until(() => expect(filtered.text()).toContain('No tasks match this view.'));
  });

  it('shows an error with a way to try again', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk' })], '/');
    wrapper.unmount();
    document.body.innerHTML = '';
    api.refuseNext('TaskList', { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.', status: 500 });
    const { wrapper: failing } = await renderDashboard([], '/', api);
    await until(() => expect(failing.text()).toContain('Could not load your tasks.'));
    expect(alerts()[0]).toContain('Could not load your tasks.');
    await buttonNamed(failing, 'Try again').trigger('click');
    await until(() => expect(titles(failing)).toEqual(['Buy milk']));
  });

  it('adds a task at once, marks it as saving until the server confirms, and keeps the field ready', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Older task' })]);
    await until(() => expect(titles(wrapper)).toEqual(['Older task']));
    const release = api.hold('CreateTask');
    const field = wrapper.get<HTMLInputElement>('#new-task-title');
    await field.setValue('  Buy milk  ');
    await wrapper.get('form.new-task').trigger('submit');
    await flushPromises();
    expect(titles(wrapper)).toEqual(['Buy milk', 'Older task']);
    expect(itemFor(wrapper, 'Buy milk').text()).toContain('Saving…');
    expect(field.element.value).toBe('');
    expect(document.activeElement).toBe(field.element);
    release();
    await until(() => expect(itemFor(wrapper, 'Buy milk').text()).not.toContain('Saving…'));
    expect(api.requestsFor('CreateTask')[0]?.variables).toEqual({ input: { title: 'Buy milk', priority: 'MEDIUM', dueDate: null } });
    expect(wrapper.text()).toContain('2 tasks');
  });

  it('refuses an empty title without a request', async () => {
    const { wrapper, api } = await renderDashboard();
    await until(() => expect(wrapper.text()).toContain('No tasks yet.'));
    await wrapper.get('form.new-task').trigger('submit');
    await flushPromises();
    expect(wrapper.text()).toContain('Enter a title.');
    expect(api.requestsFor('CreateTask')).toHaveLength(0);
  });

  it('ticks a task at once and rolls back with an alert when the server refuses', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk' })]);
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    api.refuseNext('ToggleTask', { code: 'FORBIDDEN', message: 'You do not have access to this resource.', status: 403 });
    const release = api.hold('ToggleTask');
    const checkbox = checkboxFor(wrapper, 'Buy milk');
    await checkbox.setValue(true);
    await flushPromises();
    expect(checkbox.element.checked).toBe(true);
    expect(itemFor(wrapper, 'Buy milk').classes()).toContain('task--done');

    release();
    await until(() => expect(checkboxFor(wrapper, 'Buy milk').element.checked).toBe(false));
    expect(itemFor(wrapper, 'Buy milk').classes()).not.toContain('task--done');
    expect(alerts()).toContain('Could not complete “Buy milk”: You do not have access to that task. Your change was undone. Dismiss');
  });

  it('hides a completed task from the Active view at once, and moves focus to the next task', async () => {
    const { wrapper, router } = await renderDashboard([makeTask({ title: 'Buy milk' }), makeTask({ title: 'Walk dog' }), makeTask({ title: 'Pay rent' })]);
    await until(() => expect(titles(wrapper)).toHaveLength(3));
    await buttonNamed(wrapper, 'Active').trigger('click');
    await until(() => expect(router.currentRoute.value.query.status).toBe('active'));
    expect(buttonNamed(wrapper, 'Active').attributes('aria-pressed')).toBe('true');
    await until(() => expect(titles(wrapper)).toEqual(['Pay rent', 'Walk dog', 'Buy milk']));
    const walkDog = checkboxFor(wrapper, 'Walk dog');
    walkDog.element.focus();
    await walkDog.setValue(true);
    await flushPromises();
    expect(titles(wrapper)).toEqual(['Pay rent', 'Buy milk']);
    expect(document.activeElement).toBe(checkboxFor(wrapper, 'Buy milk').element);

    await buttonNamed(wrapper, 'Completed').trigger('click');
    await until(() => expect(titles(wrapper)).toEqual(['Walk dog']));
    checkboxFor(wrapper, 'Walk dog').element.focus();
    await checkboxFor(wrapper, 'Walk dog').setValue(false);
    await flushPromises();
    expect(wrapper.text()).toContain('No tasks match this view.');
    // No task left in this view: the new-task field.
    expect(document.activeElement).toBe(wrapper.get('#new-task-title').element);
  });

  it('deletes only after confirmation, at once, and restores the task if the server refuses', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk' }), makeTask({ title: 'Walk dog' })]);
    await until(() => expect(titles(wrapper)).toHaveLength(2));

    const deleteButton = buttonNamed(itemFor(wrapper, 'Buy milk'), 'Delete “Buy milk”');
    expect(deleteButton.text()).toBe('Delete');
    await deleteButton.trigger('click');
    await flushPromises();
    const dialog = dialogLabelledBy('confirm-dialog-title').element;
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute('role')).toBeNull(); // the native dialog role
    expect(dialog.textContent).toContain('“Buy milk” will be deleted.');
    // Outside the app root, which is hidden from assistive technology while the dialog is open.
    expect(appRoot().contains(dialog)).toBe(false);
    expect(appRoot().getAttribute('aria-hidden')).toBe('true');
    expect(appRoot().hasAttribute('inert')).toBe(true);
    (dialog.querySelector('button') as HTMLButtonElement).click(); // Cancel comes first and has focus
    await flushPromises();
    expect(dialog.open).toBe(false);
    expect(appRoot().hasAttribute('aria-hidden')).toBe(false);
    expect(appRoot().hasAttribute('inert')).toBe(false);
    expect(titles(wrapper)).toEqual(['Walk dog', 'Buy milk']);
    expect(api.requestsFor('DeleteTask')).toHaveLength(0);

    api.refuseNext('DeleteTask', { code: 'NOT_FOUND', message: 'No task with id "x".', status: 404 });
    const release = api.hold('DeleteTask');
    await buttonNamed(itemFor(wrapper, 'Buy milk'), 'Delete “Buy milk”').trigger('click');
    await flushPromises();
    const confirm = [...dialog.querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Delete task')!;
    confirm.click();
    await flushPromises();
    expect(titles(wrapper)).toEqual(['Walk dog']);
    expect(wrapper.text()).toContain('1 task');
    release();
    await until(() => expect(titles(wrapper)).toEqual(['Walk dog', 'Buy milk']));
    expect(alerts()).toContain('Could not delete “Buy milk”: That task no longer exists. Your change was undone. Dismiss');
  });

  it('edits title, description, priority and due date in a dialog', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk', description: 'Semi-skimmed' })]);
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    const editButton = buttonNamed(itemFor(wrapper, 'Buy milk'), 'Edit “Buy milk”');
    await editButton.trigger('click');
    await flushPromises();
    const dialog = dialogLabelledBy('edit-dialog-title');
    expect(dialog.element.open).toBe(true);
    expect(appRoot().getAttribute('aria-hidden')).toBe('true');
    expect(dialog.get<HTMLTextAreaElement>('#edit-description').element.value).toBe('Semi-skimmed');
    await dialog.get('#edit-title').setValue('Buy oat drink');
    await dialog.get('#edit-description').setValue('');
    await dialog.get('#edit-priority').setValue('HIGH');
    await dialog.get('#edit-due').setValue('2099-01-31');
    await dialog.get('form').trigger('submit');
    await flushPromises();

    expect(dialog.element.open).toBe(false);
    expect(appRoot().hasAttribute('aria-hidden')).toBe(false);
    expect(titles(wrapper)).toEqual(['Buy oat drink']);
    expect(itemFor(wrapper, 'Buy oat drink').text()).toContain('Priority: High');
    expect(api.requestsFor('UpdateTask')[0]?.variables).toEqual({
      id: api.tasks[0]!.id,
      input: { title: 'Buy oat drink', description: null, priority: 'HIGH', dueDate: '2099-01-31' },
    });
  });

  it('pages through the connection with "Load more"', async () => {
    const tasks = Array.from({ length: 25 }, (_, index) => makeTask({ title: `Item ${String(index + 1).padStart(2, '0')}` }));
    const { wrapper, api } = await renderDashboard(tasks);
    await until(() => expect(titles(wrapper)).toHaveLength(20));
    expect(wrapper.text()).toContain('Showing 20 of 25 tasks');
    await buttonNamed(wrapper, 'Load more').trigger('click');
    await until(() => expect(titles(wrapper)).toHaveLength(25));
    expect(titles(wrapper)[24]).toBe('Item 01');
    expect(wrapper.text()).toContain('25 tasks');
    expect(wrapper.findAll('button').some((button) => button.text() === 'Load more')).toBe(false);
    expect(api.requestsFor('TaskList').map((request) => request.variables.after ?? null)).toEqual([null, `cursor:${tasks[5]!.id}`]);
  });

  it('searches after a short pause and keeps the view in the URL', async () => {
    const { wrapper, api, router } = await renderDashboard([makeTask({ title: 'Buy milk' }), makeTask({ title: 'Walk dog' })]);
    await until(() => expect(titles(wrapper)).toHaveLength(2));
    await wrapper.get('#task-search').setValue('milk');
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    expect(api.requestsFor('TaskList').at(-1)?.variables.filter).toEqual({ status: 'ALL', search: 'milk' });
    await wrapper.get('#task-sort').setValue('title');
    await until(() => expect(router.currentRoute.value.query).toEqual({ q: 'milk', sort: 'title' }));
  });

  it('names the status filter with a visible label', async () => {
    const { wrapper } = await renderDashboard();
    const group = wrapper.get('[role="group"]');
    expect(group.attributes('aria-label')).toBeUndefined();
    expect(wrapper.get(`#${group.attributes('aria-labelledby')}`).text()).toBe('Status');
  });

  it('offers to clear the filters when they match nothing, then focuses the search field', async () => {
    const { wrapper, router } = await renderDashboard([makeTask({ title: 'Open task' })], '/?status=completed&q=open&sort=title');
    await until(() => expect(wrapper.text()).toContain('No tasks match this view.'));
    expect(wrapper.findAll('button').filter((button) => button.text() === 'Clear filters')).toHaveLength(1);
    await buttonNamed(wrapper, 'Clear filters').trigger('click');
    await until(() => expect(titles(wrapper)).toEqual(['Open task']));
    expect(router.currentRoute.value.query).toEqual({});
    expect(buttonNamed(wrapper, 'All').attributes('aria-pressed')).toBe('true');
    const search = wrapper.get<HTMLInputElement>('#task-search');
    expect(search.element.value).toBe('');
    expect(document.activeElement).toBe(search.element);
    expect(wrapper.findAll('button').some((button) => button.text() === 'Clear filters')).toBe(false);
  });

  it('puts a refused new task back in the form, unless the next one is already being typed', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Older task' })]);
    await until(() => expect(titles(wrapper)).toEqual(['Older task']));
    const field = wrapper.get<HTMLInputElement>('#new-task-title');
    const due = wrapper.get<HTMLInputElement>('#new-task-due');
    const priority = wrapper.get<HTMLSelectElement>('#new-task-priority');

    api.refuseNext('CreateTask', { code: 'BAD_USER_INPUT', message: 'That title is not allowed.', status: 400 });
    let release = api.hold('CreateTask');
    await field.setValue('Buy milk');
    await priority.setValue('HIGH');
    await due.setValue('2099-02-01');
    await wrapper.get('form.new-task').trigger('submit');
    await flushPromises();
    expect(field.element.value).toBe('');
    expect(due.element.value).toBe('');
    await priority.setValue('LOW');
    wrapper.get<HTMLInputElement>('#task-search').element.focus();
    release();
    await until(() => expect(field.element.value).toBe('Buy milk'));
    expect(due.element.value).toBe('2099-02-01');
    expect(priority.element.value).toBe('HIGH');
    expect(document.activeElement).toBe(field.element);
    expect(titles(wrapper)).toEqual(['Older task']);
    expect(alerts()).toContain('Could not add “Buy milk”: That title is not allowed. Your change was undone. Dismiss');

    await field.setValue('');
    await due.setValue('');
    api.refuseNext('CreateTask', { code: 'BAD_USER_INPUT', message: 'That title is not allowed.', status: 400 });
    release = api.hold('CreateTask');
    await field.setValue('Walk dog');
    await wrapper.get('form.new-task').trigger('submit');
    await flushPromises();
    await field.setValue('Pay rent');
    release();
    await until(() => expect(alerts().some((text) => text?.startsWith('Could not add “Walk dog”'))).toBe(true));
    expect(field.element.value).toBe('Pay rent');
  });

  it('reopens the edit dialog with what the user typed when the server refuses the change', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk', description: 'Semi-skimmed' })]);
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    api.refuseNext('UpdateTask', { code: 'BAD_USER_INPUT', message: 'That title is not allowed.', status: 400 });
    const release = api.hold('UpdateTask');
    await buttonNamed(itemFor(wrapper, 'Buy milk'), 'Edit “Buy milk”').trigger('click');
    await flushPromises();
    const dialog = dialogLabelledBy('edit-dialog-title');
    await dialog.get('#edit-title').setValue('Buy oat drink');
    await dialog.get('#edit-description').setValue('Barista edition');
    await dialog.get('#edit-priority').setValue('LOW');
    await dialog.get('form').trigger('submit');
    await flushPromises();
    expect(dialog.element.open).toBe(false);
    expect(titles(wrapper)).toEqual(['Buy oat drink']);

    release();
    await until(() => expect(dialog.element.open).toBe(true));
    expect(titles(wrapper)).toEqual(['Buy milk']);
    expect(dialog.get<HTMLInputElement>('#edit-title').element.value).toBe('Buy oat drink');
    expect(dialog.get<HTMLTextAreaElement>('#edit-description').element.value).toBe('Barista edition');
    expect(dialog.get<HTMLSelectElement>('#edit-priority').element.value).toBe('LOW');
    expect(dialog.get('[role="alert"]').text()).toBe('Your changes were not saved. Save them again, or cancel.');
    expect(document.activeElement).toBe(dialog.get('#edit-title').element);

    // Saved this time: the dialog closes and the message is gone when it opens again.
    await dialog.get('form').trigger('submit');
    await until(() => expect(titles(wrapper)).toEqual(['Buy oat drink']));
    await flushPromises();
    expect(dialog.element.open).toBe(false);
    await buttonNamed(itemFor(wrapper, 'Buy oat drink'), 'Edit “Buy oat drink”').trigger('click');
    await flushPromises();
    expect(dialog.find('[role="alert"]').exists()).toBe(false);
  });
});

describe('dashboard review fixes', () => {
  beforeEach(() => useNotices().clear());

  /** Every element a label with exactly this text names (by `for`), anywhere in the document (dialogs too). */
  const controlsLabelled = (text: string) =>
    [...document.querySelectorAll('label')].filter((label) => label.textContent?.trim() === text).map((label) => document.getElementById(label.htmlFor));

  it('has one Priority and one Due date field while the edit dialog is closed, and the dialog has its own while open', async () => {
    const { wrapper } = await renderDashboard([makeTask({ title: 'Buy milk', priority: 'HIGH' })]);
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    expect(controlsLabelled('Priority').map((control) => control?.id)).toEqual(['new-task-priority']);
    expect(controlsLabelled('Due date').map((control) => control?.id)).toEqual(['new-task-due']);
    expect(document.querySelector('dialog form')).toBeNull();

    await buttonNamed(itemFor(wrapper, 'Buy milk'), 'Edit “Buy milk”').trigger('click');
    await flushPromises();
    const dialog = dialogLabelledBy('edit-dialog-title');
    expect(dialog.element.open).toBe(true);
    expect(dialog.get<HTMLSelectElement>('#edit-priority').element.value).toBe('HIGH');
    expect(document.activeElement).toBe(dialog.get('#edit-title').element);

    await buttonNamed(dialog, 'Cancel').trigger('click');
    await flushPromises();
    expect(dialog.element.open).toBe(false);
    expect(document.querySelector('dialog form')).toBeNull();
    // (Focus going back to the Edit button is the browser's doing on close(): test/e2e checks it in Chromium.)
  });

  it('has no role="status" of its own, and names each Dismiss button after its message', async () => {
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Buy milk' }), makeTask({ title: 'Walk dog' })]);
    await until(() => expect(titles(wrapper)).toHaveLength(2));
    expect(document.querySelectorAll('[role="status"]')).toHaveLength(0);
    api.refuseNext('ToggleTask', { code: 'FORBIDDEN', message: 'No.', status: 403 });
    await checkboxFor(wrapper, 'Buy milk').setValue(true);
    await until(() => expect(alerts()).toHaveLength(1));
    api.refuseNext('ToggleTask', { code: 'FORBIDDEN', message: 'No.', status: 403 });
    await checkboxFor(wrapper, 'Walk dog').setValue(true);
    await until(() => expect(alerts()).toHaveLength(2));
    const names = [...document.querySelectorAll('.notices button')].map((button) => button.getAttribute('aria-label'));
    expect(names).toEqual([
      'Dismiss: Could not complete “Buy milk”: You do not have access to that task. Your change was undone.',
      'Dismiss: Could not complete “Walk dog”: You do not have access to that task. Your change was undone.',
    ]);
    expect(document.querySelectorAll('[role="status"]')).toHaveLength(0);
    expect(document.querySelector('.notices [aria-live="polite"]')).not.toBeNull();
  });

  it('resets the whole new-task form after adding, priority included', async () => {
    const { wrapper, api } = await renderDashboard();
    await until(() => expect(wrapper.text()).toContain('No tasks yet.'));
    await wrapper.get('#new-task-title').setValue('Write report');
    await wrapper.get('#new-task-priority').setValue('HIGH');
    await wrapper.get('#new-task-due').setValue('2099-03-01');
    await wrapper.get('form.new-task').trigger('submit');
    await until(() => expect(api.tasks).toHaveLength(1));
    expect(api.tasks[0]).toMatchObject({ title: 'Write report', priority: 'HIGH', dueDate: '2099-03-01' });
    expect(wrapper.get<HTMLSelectElement>('#new-task-priority').element.value).toBe('MEDIUM');
    expect(wrapper.get<HTMLInputElement>('#new-task-due').element.value).toBe('');
    await wrapper.get('#new-task-title').setValue('Call plumber');
    await wrapper.get('form.new-task').trigger('submit');
    await until(() => expect(api.tasks).toHaveLength(2));
    expect(api.tasks[1]).toMatchObject({ title: 'Call plumber', priority: 'MEDIUM', dueDate: null });
  });

  it('moves focus to the first task "Load more" brought in, as the button goes', async () => {
    const tasks = Array.from({ length: 25 }, (_, index) => makeTask({ title: `Item ${String(index + 1).padStart(2, '0')}` }));
    const { wrapper } = await renderDashboard(tasks);
    await until(() => expect(titles(wrapper)).toHaveLength(20));
    const button = buttonNamed(wrapper, 'Load more');
    (button.element as HTMLButtonElement).focus();
    await button.trigger('click');
    await until(() => expect(titles(wrapper)).toHaveLength(25));
    await flushPromises();
    expect(wrapper.findAll('button').some((candidate) => candidate.text() === 'Load more')).toBe(false);
    expect(document.activeElement).toBe(checkboxFor(wrapper, 'Item 05').element);
  });

  it('offers "Clear filters" whenever the view is not the default one, and it restores the default', async () => {
    const { wrapper, router } = await renderDashboard([makeTask({ title: 'Buy milk' }), makeTask({ title: 'Walk dog' })]);
    await until(() => expect(titles(wrapper)).toHaveLength(2));
    const clearButtons = () => wrapper.findAll('button').filter((button) => button.text() === 'Clear filters');
    expect(clearButtons()).toHaveLength(0);
    await wrapper.get('#task-sort').setValue('title');
    await until(() => expect(clearButtons()).toHaveLength(1));
    await buttonNamed(wrapper, 'Active').trigger('click');
    await wrapper.get('#task-search').setValue('milk');
    await until(() => expect(titles(wrapper)).toEqual(['Buy milk']));
    expect(clearButtons()).toHaveLength(1);
    await clearButtons()[0]!.trigger('click');
    await until(() => expect(titles(wrapper)).toEqual(['Walk dog', 'Buy milk']));
    await until(() => expect(router.currentRoute.value.query).toEqual({}));
    expect(clearButtons()).toHaveLength(0);
    expect(document.activeElement).toBe(wrapper.get('#task-search').element);
  });

  it('focuses its heading when it opens, so focus does not start on <body>', async () => {
    (document.activeElement as HTMLElement | null)?.blur();
    await renderDashboard();
    expect(document.activeElement?.tagName).toBe('H1');
    expect(document.activeElement?.textContent).toBe('Your tasks');
  });

  it('closes the edit dialog when another device deletes its task, and says so', async () => {
    const task = makeTask({ title: 'Bulk task 25' });
    const { wrapper, api } = await renderDashboard([makeTask({ title: 'Other' }), task]);
    await until(() => expect(api.openStreams()).toBe(1));
    await until(() => expect(titles(wrapper)).toEqual(['Other', 'Bulk task 25']));
    await buttonNamed(itemFor(wrapper, 'Bulk task 25'), 'Edit “Bulk task 25”').trigger('click');
    await flushPromises();
    const dialog = dialogLabelledBy('edit-dialog-title');
    await dialog.get('#edit-title').setValue('Renamed');
    expect(dialog.element.open).toBe(true);

    api.emitTaskEvent('DELETED', task);
    await until(() => expect(dialog.element.open).toBe(false));
    await until(() => expect(titles(wrapper)).toEqual(['Other']));
    expect(alerts()).toEqual(['That task was deleted elsewhere: “Bulk task 25” no longer exists. Its edit dialog was closed. Dismiss']);
    expect(document.querySelectorAll('dialog[open]')).toHaveLength(0); // nothing modal left above the notice
    expect(document.activeElement).not.toBe(document.body);
  });

  it('says the task was deleted elsewhere when saving it answers NOT_FOUND, instead of offering to save again', async () => {
    const task = makeTask({ title: 'Bulk task 25' });
    const { wrapper, api } = await renderDashboard([task]);
    await until(() => expect(titles(wrapper)).toEqual(['Bulk task 25']));
    await buttonNamed(itemFor(wrapper, 'Bulk task 25'), 'Edit “Bulk task 25”').trigger('click');
    await flushPromises();
    const dialog = dialogLabelledBy('edit-dialog-title');
    await dialog.get('#edit-title').setValue('Renamed');
    api.tasks.splice(0, 1); // deleted elsewhere, and no live event got here
    await dialog.get('form').trigger('submit');
    await until(() =>
      expect(alerts()).toEqual(['That task was deleted elsewhere: “Bulk task 25” no longer exists. Your changes to it could not be saved. Dismiss']),
    );
    await flushPromises();
    expect(dialog.element.open).toBe(false);
    expect(dialog.find('[role="alert"]').exists()).toBe(false);
    await until(() => expect(wrapper.text()).toContain('No tasks yet.'));
  });
});
