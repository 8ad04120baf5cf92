import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  getNamedType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestLimits } from '../config.js';
import { apiError } from './errors.js';

/**
 * How many `__schema` fields a selection set holds, fragment spreads expanded. Each fragment's
 * count is computed once (spreads of spreads would otherwise cost exponential time); a cycle,
 * which the standard rules refuse anyway, counts nothing.
 */
function schemaIntrospectionsIn(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, counted: Map<string, number>): number {
  let found = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === '__schema') found++;
      if (selection.selectionSet) found += schemaIntrospectionsIn(selection.selectionSet, fragments, counted);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      found += schemaIntrospectionsIn(selection.selectionSet, fragments, counted);
    } else {
      const name = selection.name.value;
      let inFragment = counted.get(name);
      if (inFragment === undefined) {
        const fragment = fragments.get(name);
        counted.set(name, 0);
        inFragment = fragment ? schemaIntrospectionsIn(fragment.selectionSet, fragments, counted) : 0;
        counted.set(name, inFragment);
      }
      found += inFragment;
    }
  }
  return found;
}

/**
 * The depth limit skips introspection (GraphiQL's own query is deeper than any task query), so
 * aliased `__schema` fields were the one way to ask for the whole schema many times over: 15 of
 * them in 1.3 KB returned 947 KB. One per operation is all a client needs.
 */
function oneSchemaIntrospectionRule(context: ValidationContext): ASTVisitor {
  return {
    Document(document) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        if (schemaIntrospectionsIn(definition.selectionSet, fragments, new Map()) > 1) {
          context.reportError(apiError('QUERY_TOO_COMPLEX', 'An operation may select __schema once.'));
        }
      }
    },
  };
}

/**
 * Whether a selection set reaches `User.tasks`, fragments expanded (each fragment is looked into
 * once: its type condition fixes its parent type).
 */
function selectsTaskList(
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  schema: GraphQLSchema,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string>,
): boolean {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (parentType.name === 'User' && selection.name.value === 'tasks') return true;
      const field = isObjectType(parentType) ? parentType.getFields()[selection.name.value] : undefined;
      const fieldType = field && getNamedType(field.type);
      if (selection.selectionSet && fieldType && isObjectType(fieldType) && selectsTaskList(selection.selectionSet, fieldType, schema, fragments, seen))
        return true;
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(selection.name.value)) continue;
        seen.add(selection.name.value);
      }
      const conditionType = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parentType;
      if (conditionType && isObjectType(conditionType) && selectsTaskList(fragment.selectionSet, conditionType, schema, fragments, seen)) return true;
    }
  }
  return false;
}

/**
 * A live stream executes its selection again for every event, once per stream: a task list in it
 * (`taskEvents { task { owner { tasks { … } } } }`) turned each cheap toggle into a full read of
 * the owner's tasks per stream, outside any per-request limit (one toggle blocked SQLite for 9 s).
 * The contract is that a client refetches its lists after events, so a subscription may not select one.
 */
function noTaskListInSubscriptionRule(context: ValidationContext): ASTVisitor {
  return {
    Document(document) {
      const schema = context.getSchema();
      const subscriptionType = schema.getSubscriptionType();
      if (!subscriptionType) return;
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'subscription') continue;
        if (selectsTaskList(definition.selectionSet, subscriptionType, schema, fragments, new Set())) {
          context.reportError(apiError('QUERY_TOO_COMPLEX', 'A subscription cannot select a task list (User.tasks): refetch the list after an event.'));
        }
      }
    },
  };
}

/**
 * GraphQL Armor's validation rules refuse over-deep, over-aliased, directive- or token-heavy
 * documents before execution; the complexity (cost) limit is enforced by Pothos's complexity
 * plugin (see builder.ts). errorCodes.ts gives each refusal its QUERY_TOO_COMPLEX code.
 */
export function requestLimitPlugins(limits: RequestLimits): Plugin[] {
  // Report instead of throw, so the refusal is a validation error (HTTP 400) with a code.
  const report = {
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
  };
  return [
    // The token limit acts inside the parser (no validation context): throw a coded error there.
    maxTokensPlugin({
      n: limits.maxTokens,
      onReject: [
        () => {
          throw apiError('QUERY_TOO_COMPLEX', `Token limit of ${limits.maxTokens} exceeded.`);
        },
      ],
    }),
    maxDepthPlugin({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...report }),
    maxAliasesPlugin({ n: limits.maxAliases, allowList: [], ...report }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...report }),
    {
      onValidate: ({ addValidationRule }) => {
        addValidationRule(oneSchemaIntrospectionRule);
        addValidationRule(noTaskListInSubscriptionRule);
      },
    },
  ];
}
