import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../shared/context';
import { INTERNAL_SERVER_ERROR } from './format-error';
import { classifyDatabaseError } from '../shared/database-errors';
import { LSN_HEADER, servedByReplica } from './read-consistency';

/**
 * Ties a GraphQL request to its database transaction: queries get a read-only snapshot,
 * mutations a read-write transaction; it commits once the result is complete, before the
 * response leaves, so an acknowledged mutation is durable. Unexpected errors are logged with
 * the request id, and the client gets that id to quote.
 */
export function requestPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          contextValue.db.setMode(operation?.operation === 'query' ? 'read' : 'write');
          if (operation && servedByReplica(operation, document, request.variables)) contextValue.db.preferReplica();
        },
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const original = error.originalError ?? error;
            if (original.name === 'DomainError' || !error.originalError || (error.originalError as { extensions?: unknown }).extensions) continue;
            contextValue.log.error({ err: original, operationName, path: error.path }, 'unexpected error');
          }
        },
        async willSendResponse({ contextValue, response }) {
          let commitFailed = false;
          let commitCode = INTERNAL_SERVER_ERROR;
          try {
            await contextValue.db.finish('commit');
          } catch (error) {
            commitFailed = true;
            // the database went away mid-request: say so (HTTP 503), so clients know to retry
            if (classifyDatabaseError(error) === 'SERVICE_UNAVAILABLE') commitCode = 'SERVICE_UNAVAILABLE';
            contextValue.log.error({ err: error }, 'commit failed');
          }
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (commitFailed) {
            if (commitCode === 'SERVICE_UNAVAILABLE') response.http.status = 503;
            response.body.singleResult = {
              data: null,
              errors: [{ message: 'The change could not be saved', extensions: { code: commitCode, requestId: contextValue.requestId } }],
            };
            return;
          }
          // with a read replica: where this request's writes are, for the client's next reads (read-consistency.ts)
          const lsn = contextValue.db.commitLsn;
          if (lsn) {
            response.http.headers.set(LSN_HEADER, lsn);
            result.extensions = { ...result.extensions, lsn };
          }
          if (result.errors) {
            result.errors = result.errors.map((error) =>
              error.extensions?.code === INTERNAL_SERVER_ERROR ? { ...error, extensions: { ...error.extensions, requestId: contextValue.requestId } } : error,
            );
          }
        },
      };
    },
  };
}
