import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../server/graphql/schema/index.js';
import { repoRoot } from '../support/server.js';

describe('the GraphQL contract', () => {
  it('specs/schema.graphql is exactly the schema the server serves (run `npm run schema:print` after changing it)', () => {
    const committed = readFileSync(resolve(repoRoot, 'specs/schema.graphql'), 'utf8');
    expect(committed).toBe(`${printedSchema()}\n`);
  });

  it('has every operation and type of the contract', () => {
    const sdl = printedSchema();
    for (const fragment of [
      'me: User!',
      'user(id: ID!): User!',
      'task(id: ID!): Task!',
      'createTask(input: CreateTaskInput!): Task!',
      'updateTask(id: ID!, input: UpdateTaskInput!): Task!',
      'toggleTask(id: ID!): Task!',
      'deleteTask(id: ID!): ID!',
      'edges: [TaskEdge!]!',
      'node: Task!',
      'totalCount: Int!',
      'scalar Date',
      'scalar DateTime',
      'status: TaskStatus = ALL',
      'priority: TaskPriority = MEDIUM',
      'field: TaskOrderField! = CREATED_AT',
      'direction: OrderDirection! = DESC',
    ]) {
      expect(sdl).toContain(fragment);
    }
  });
});
