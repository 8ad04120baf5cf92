import { getOperationAST, getVariableValues, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { log } from '../log.js';
import { loggableOperationName } from '../observability/requestContext.js';

/**
 * A document is compiled on its tenth execution: compiling costs about three interpreted runs, so a
 * client has to send a document that often before the server spends that on it.
 */
export const JIT_AFTER_EXECUTIONS = 10;
/** Compiled documents kept (each holds generated code, ≈ 0.3 MB for the introspection query). */
export const MAX_COMPILED_DOCUMENTS = 100;

interface Compiled {
  query: CompiledQuery;
  operation: OperationDefinitionNode;
}
type CompiledOperations = Map<string, Compiled | 'interpret'>;

/** Introspection (GraphiQL's schema query) runs rarely and is large to compile: it stays interpreted. */
function isIntrospection(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some(
    (selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith('__') && selection.name.value !== '__typename',
  );
}

/**
 * Executes repeated queries and mutations with graphql-jit: a document is compiled once into a
 * plain function (cached per parsed document — Yoga's parse cache hands back the same
 * DocumentNode for the same text — and per operation name), which skips graphql-js's
 * per-request walk of the schema and selection sets. Resolvers, scope rules, owner filters,
 * validation and limits are the same functions either way; a document graphql-jit cannot compile
 * keeps running on graphql-js. Subscriptions stay on graphql-js (one execution per long-lived
 * stream). Variables are checked by graphql-js's own coercion first, so a wrong variable is
 * refused with the same message and `field` whichever engine runs the document.
 */
export function jitExecutionPlugin(): Plugin {
  const executions = new WeakMap<DocumentNode, number>();
  const compiled = new LRUCache<DocumentNode, CompiledOperations>({ max: MAX_COMPILED_DOCUMENTS });

  function compiledFor(args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null }): Compiled | null {
    const operations = compiled.get(args.document);
    const key = args.operationName ?? '';
    const known = operations?.get(key);
    if (known) return known === 'interpret' ? null : known;
    const seen = (executions.get(args.document) ?? 0) + 1;
    executions.set(args.document, seen);
    if (seen < JIT_AFTER_EXECUTIONS) return null;
    const operation = getOperationAST(args.document, args.operationName);
    let entry: Compiled | 'interpret' = 'interpret';
    if (operation && !isIntrospection(operation)) {
      const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      if (isCompiledQuery(result)) entry = { query: result, operation };
      else log.warn({ operationName: loggableOperationName(args.operationName) }, 'graphql-jit could not compile a document; it runs on graphql-js');
    }
    compiled.set(args.document, (operations ?? new Map()).set(key, entry));
    return entry === 'interpret' ? null : entry;
  }

  return {
    onExecute({ args, setExecuteFn }) {
      const entry = compiledFor(args);
      if (!entry) return;
      setExecuteFn((executionArgs) => {
        const variables = executionArgs.variableValues ?? {};
        if (entry.operation.variableDefinitions?.length) {
          const coerced = getVariableValues(executionArgs.schema, entry.operation.variableDefinitions, variables, { maxErrors: 50 });
          if (coerced.errors) return { errors: coerced.errors };
        }
        return entry.query.query(executionArgs.rootValue, executionArgs.contextValue, variables);
      });
    },
  };
}
