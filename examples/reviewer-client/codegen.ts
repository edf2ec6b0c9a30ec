import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Codegen's client preset: typed documents for every `graphql(...)` call under src/, and
 * the trusted-documents manifest (src/gql/persisted-documents.json, SHA-256 id → document) that
 * the server loads with TRUSTED_DOCUMENTS. In your own copy, point `schema` at your copy of
 * claimgraph's schema/schema.graphql (or at the server's URL, with introspection on).
 */
const config: CodegenConfig = {
  schema: '../../schema/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        // plain strings over the wire; no graphql-js needed at run time
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', URL: 'string' },
      },
    },
  },
};

export default config;
