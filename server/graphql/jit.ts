import type { DocumentNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { log } from '../log.js';
import { loggableOperationName } from '../observability/requestContext.js';

/** A document is compiled on its second execution; one-off documents run interpreted. */
export const JIT_AFTER_EXECUTIONS = 2;

type CompiledOperations = Map<string, CompiledQuery | 'interpret'>;

/**
 * Executes repeated queries and mutations with graphql-jit: a document is compiled once into a
 * plain function (cached per parsed document — Yoga's parse cache hands back the same
 * DocumentNode for the same text — and per operation name), which skips graphql-js's
 * per-request walk of the schema and selection sets. Compiling costs more than one interpreted
 * execution, so a document sent only once — or a flood of distinct ones — never pays for it.
 * Resolvers, scope rules, owner filters, validation and limits are the same functions either
 * way; a document graphql-jit cannot compile keeps running on graphql-js. Subscriptions stay
 * on graphql-js (one execution per long-lived stream).
 */
export function jitExecutionPlugin(): Plugin {
  const executions = new WeakMap<DocumentNode, number>();
  const compiled = new WeakMap<DocumentNode, CompiledOperations>();

  function compiledFor(args: { schema: Parameters<typeof compileQuery>[0]; document: DocumentNode; operationName?: string | null }): CompiledQuery | null {
    const operations = compiled.get(args.document);
    const key = args.operationName ?? '';
    const known = operations?.get(key);
    if (known) return known === 'interpret' ? null : known;
    const seen = (executions.get(args.document) ?? 0) + 1;
    executions.set(args.document, seen);
    if (seen < JIT_AFTER_EXECUTIONS) return null;
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
    const entry = isCompiledQuery(result) ? result : 'interpret';
    if (entry === 'interpret')
      log.warn({ operationName: loggableOperationName(args.operationName) }, 'graphql-jit could not compile a document; it runs on graphql-js');
    compiled.set(args.document, (operations ?? new Map()).set(key, entry));
    return entry === 'interpret' ? null : entry;
  }

  return {
    onExecute({ args, setExecuteFn }) {
      const query = compiledFor(args);
      if (query) setExecuteFn((executionArgs) => query.query(executionArgs.rootValue, executionArgs.contextValue, executionArgs.variableValues));
    },
  };
}
