import { GraphQLError, execute, type DocumentNode, type ExecutionResult, type FieldNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { DataSource } from 'typeorm';
import type { Context } from '../shared/context';
import { answerWithSql, responseKey } from './sql-selection';

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
 *
 * With `sql` (GRAPHQL_SQL, on by default), a query's root fields that src/http/sql-selection.ts
 * can express are first answered by one SQL statement that builds their JSON in Postgres; only
 * the rest (if any) runs on the resolvers, in the same transaction.
 */
export function jitGateway(schema: GraphQLSchema, sql: { dataSource: DataSource } | null = null): GatewayInterface {
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
          const variables = request.request.variables ?? {};
          let document = request.document;
          let answered: Map<string, unknown> | null = null;
          if (sql && request.operation.operation === 'query') {
            let answer: Awaited<ReturnType<typeof answerWithSql>>;
            try {
              // over HTTP, Postgres's JSON text goes into the response as it is (server.ts: stringifyResult);
              // in-process callers and WebSocket subscribers get plain values
              answer = await answerWithSql(schema, sql.dataSource, request.document, request.operation, variables, request.context as unknown as Context, {
                raw: !!request.request.http,
              });
            } catch (error) {
              // the statement failed (a timeout, the database went away): reported as a failing
              // root resolver's error would be; the transaction is aborted for anything else asked
              const first = request.operation.selectionSet.selections[0] as FieldNode;
              return { data: null, errors: [new GraphQLError((error as Error).message, { path: [responseKey(first)], originalError: error as Error })] };
            }
            if (answer) {
              answered = answer.data;
              if (!answer.rest) return { data: Object.fromEntries(answered) };
              document = answer.rest;
            }
          }
          const query = compile(document, request.operationName);
          const executed: ExecutionResult = query
            ? await query.query(undefined, request.context, variables)
            : await execute({
                schema,
                document,
                contextValue: request.context,
                variableValues: variables,
                operationName: request.operationName,
              });
          const result = answered ? merge(request.operation, answered, executed) : executed;
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

/**
 * The SQL-answered root fields and the resolvers' answer to the rest, in the operation's order.
 * A null `data` (a non-null root field failed) stays null, as it would have for the whole operation.
 */
function merge(operation: OperationDefinitionNode, answered: Map<string, unknown>, executed: ExecutionResult): ExecutionResult {
  if (!executed.data) return executed;
  const data: Record<string, unknown> = {};
  for (const selection of operation.selectionSet.selections) {
    const key = responseKey(selection as FieldNode);
    if (key in data) continue;
    data[key] = answered.has(key) ? answered.get(key) : executed.data[key];
  }
  return { ...executed, data };
}
