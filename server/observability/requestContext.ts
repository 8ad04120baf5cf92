import { AsyncLocalStorage } from 'node:async_hooks';

/** The header a request id comes in and is echoed in (the request log's `requestId`). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What the request log learns while a request is handled, filled in by whoever knows it. */
export interface RequestFacts {
  requestId: string;
  /** The GraphQL operation that ran (already bounded by the request log's pattern). */
  operationName?: string;
  userId?: string;
}

const requestFacts = new AsyncLocalStorage<RequestFacts>();

export const runWithRequestFacts = <T>(facts: RequestFacts, handler: () => T): T => requestFacts.run(facts, handler);

/** The facts of the HTTP request being handled, if any (Yoga plugins, Better Auth hooks). */
export const currentRequestFacts = (): RequestFacts | undefined => requestFacts.getStore();

const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const MAX_OPERATION_NAME = 64;

/** A GraphQL operation name safe to log: a GraphQL Name, at most 64 characters. */
export function loggableOperationName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !OPERATION_NAME.test(name)) return undefined;
  return name.length > MAX_OPERATION_NAME ? `${name.slice(0, MAX_OPERATION_NAME)}…` : name;
}

/** Records the user behind the current request for its log line (Better Auth hooks, GraphQL context). */
export function noteRequestUser(userId: string | null | undefined): void {
  const facts = currentRequestFacts();
  if (facts && userId && !facts.userId) facts.userId = userId;
}
