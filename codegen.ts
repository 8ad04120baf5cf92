import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the web app: every graphql(`...`) call in client/src gets its result and
// variable types from the committed SDL, so a misspelled field fails `npm run typecheck:client`.
const config: CodegenConfig = {
  schema: 'specs/schema.graphql',
  documents: ['client/src/**/*.{ts,vue}', '!client/src/gql/**/*', '!client/src/**/*.test.ts'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        // Enums as string unions: no runtime objects, nothing for verbatimModuleSyntax to trip on.
        enumsAsTypes: true,
        scalars: { Date: 'string', DateTime: 'string' },
        strictScalars: true,
        skipTypename: false,
      },
    },
  },
  hooks: {},
};

export default config;
