import { z } from 'zod';
import { builder } from '../builder.js';
import { OrderDirection, TaskOrderField, TaskPriority, TaskStatus } from './enums.js';

import {
  ID_MAX_LENGTH,
  SEARCH_MAX_LENGTH,
  TASK_DESCRIPTION_MAX_LENGTH as DESCRIPTION_MAX_LENGTH,
  TASK_TITLE_MAX_LENGTH as TITLE_MAX_LENGTH,
  UNSTORABLE_TEXT,
} from '../../rules.js';

export { DESCRIPTION_MAX_LENGTH, SEARCH_MAX_LENGTH, TITLE_MAX_LENGTH };

/**
 * Something a reader can see: not whitespace, control or format characters (zero-width spaces,
 * joiners, bidi controls) nor other default-ignorable code points (Hangul fillers, variation selectors).
 */
const VISIBLE_CHARACTER = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

/** Refuses what a database would refuse or alter (NUL, unpaired surrogates) as BAD_USER_INPUT, on both databases alike. */
const storable = (schema: z.ZodString) => schema.refine((value) => !UNSTORABLE_TEXT.test(value), 'must not contain NUL characters or unpaired surrogates');

/** An id argument: bounded (it is echoed in NOT_FOUND messages) and storable text. */
export const idArgument = storable(z.string().max(ID_MAX_LENGTH, `must be at most ${ID_MAX_LENGTH} characters`));

const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(TITLE_MAX_LENGTH, `must be at most ${TITLE_MAX_LENGTH} characters`)
  .refine((value) => VISIBLE_CHARACTER.test(value), 'must contain at least one visible character')
  .refine((value) => !UNSTORABLE_TEXT.test(value), 'must not contain NUL characters or unpaired surrogates');
const description = storable(z.string().max(DESCRIPTION_MAX_LENGTH, `must be at most ${DESCRIPTION_MAX_LENGTH} characters`));
const notNull = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.undefined()], { error: (issue) => (issue.input === null ? 'must not be null' : undefined) });

export const TaskFilter = builder.inputType('TaskFilter', {
  fields: (t) => ({
    status: t.field({ type: TaskStatus, defaultValue: 'ALL' }),
    priority: t.field({ type: TaskPriority }),
    search: t.string({
      description: 'Case-insensitive substring of the title or description.',
      validate: storable(z.string().max(SEARCH_MAX_LENGTH, `must be at most ${SEARCH_MAX_LENGTH} characters`)).nullish(),
    }),
    dueBefore: t.field({ type: 'Date', description: 'Due on or before this date.' }),
    dueAfter: t.field({ type: 'Date', description: 'Due on or after this date.' }),
  }),
});

export const TaskOrder = builder.inputType('TaskOrder', {
  fields: (t) => ({
    field: t.field({ type: TaskOrderField, required: true, defaultValue: 'createdAt' }),
    direction: t.field({ type: OrderDirection, required: true, defaultValue: 'desc' }),
  }),
});

export const CreateTaskInput = builder.inputType('CreateTaskInput', {
  fields: (t) => ({
    title: t.string({ required: true, validate: title }),
    description: t.string({ validate: description.nullish() }),
    priority: t.field({ type: TaskPriority, defaultValue: 1 }),
    dueDate: t.field({ type: 'Date' }),
  }),
});

/** title, priority and completed may be omitted but never null (only description and dueDate clear). */
// looseObject: the validated value replaces the input, so the other fields must pass through.
const notNullOnUpdate = z
  .looseObject({ title: z.unknown(), priority: z.unknown(), completed: z.unknown() })
  .partial()
  .superRefine((input, context) => {
    for (const key of ['title', 'priority', 'completed'] as const) {
      if (input[key] === null) context.addIssue({ code: 'custom', path: [key], message: 'must not be null' });
    }
  });

export const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
  description: 'Omitted fields stay unchanged; null clears description and dueDate.',
  validate: notNullOnUpdate,
  fields: (t) => ({
    title: t.string({ validate: notNull(title) }),
    description: t.string({ validate: description.nullish() }),
    priority: t.field({ type: TaskPriority, validate: notNull(z.number()) }),
    dueDate: t.field({ type: 'Date' }),
    completed: t.boolean({ validate: notNull(z.boolean()) }),
  }),
});
