import { GraphQLError, execute, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GatewayInterface } from '@apollo/server-gateway-interface';

/**
 * Executes operations with graphql-jit instead of graphql-js's interpreter: each distinct
 * operation is compiled once into a JavaScript function for its exact selection set, and then runs
 * the same resolvers (type-graphql's, with their services, permission checks and DataLoaders)
 * without graphql-js's per-field bookkeeping. On the reviewer article page (~2,600 fields) that
 * was the largest share of the server's CPU: see bench/README.md for the figures.
 *
 * Apollo Server takes a custom executor only through its gateway interface, so this is a
 * "gateway" that serves the local schema. Parsing, validation, the document cache, plugins and
 * formatError are Apollo's as before; only execution differs. Anything graphql-jit declines to
 * compile runs on graphql-js, so every valid operation still executes.
 */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  // Apollo hands back the same DocumentNode for the same query text (its document store), so
  // compiled operations live exactly as long as Apollo keeps the parsed document.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();

  const compile = (document: DocumentNode, operationName: string | null | undefined): CompiledQuery | null => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    if (!byOperation.has(key)) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      byOperation.set(key, isCompiledQuery(result) ? result : null);
    }
    return byOperation.get(key)!;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return {
        executor: async (request) => {
          const query = compile(request.document, request.operationName);
          const variables = request.request.variables ?? {};
          const result: ExecutionResult = query
            ? await query.query(undefined, request.context, variables)
            : await execute({
                schema,
                document: request.document,
                contextValue: request.context,
                variableValues: variables,
                operationName: request.operationName,
              });
          // graphql-jit's errors pass `instanceof GraphQLError` but have no `extensions`: Apollo's
          // error normalisation throws on them and every error (UNAUTHENTICATED, NOT_FOUND, ...)
          // reaches the client as an unlogged INTERNAL_SERVER_ERROR. Rebuild them as graphql-js's.
          if (query && result.errors) {
            return {
              ...result,
              // an error without a path is about the request itself: its variables did not coerce
              errors: result.errors.map((error) =>
                error.path
                  ? new GraphQLError(error.message, { path: error.path, originalError: (error as { originalError?: Error }).originalError ?? error })
                  : new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } }),
              ),
            };
          }
          return result;
        },
      };
    },
    async stop() {
      // nothing to release
    },
  };
}
