import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestLimits } from '../config.js';
import { apiError } from './errors.js';

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
  ];
}
