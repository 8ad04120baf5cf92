import { builder } from '../builder.js';

/** Internal values are the stored ranks, so the database can sort by priority. */
export const TaskPriority = builder.enumType('TaskPriority', {
  values: {
    LOW: { value: 0 },
    MEDIUM: { value: 1 },
    HIGH: { value: 2 },
  } as const,
});

export const TaskStatus = builder.enumType('TaskStatus', {
  values: {
    ALL: { value: 'ALL', description: 'Every task.' },
    ACTIVE: { value: 'ACTIVE', description: 'Tasks not completed yet.' },
    COMPLETED: { value: 'COMPLETED', description: 'Completed tasks.' },
  } as const,
});

export const TaskOrderField = builder.enumType('TaskOrderField', {
  values: {
    CREATED_AT: { value: 'createdAt' },
    UPDATED_AT: { value: 'updatedAt' },
    DUE_DATE: { value: 'dueDate', description: 'Tasks without a due date come last.' },
    PRIORITY: { value: 'priority' },
    TITLE: { value: 'title' },
  } as const,
});

export const OrderDirection = builder.enumType('OrderDirection', {
  values: {
    ASC: { value: 'asc' },
    DESC: { value: 'desc' },
  } as const,
});
