import { GraphQLError } from 'graphql';
import { requestError } from '../http/http-errors';

/**
 * Operational database failures a client can act on (retry later, ask for less), as opposed to
 * bugs. They get typed codes and plain messages; the driver's text (which names tables, hosts
 * and settings) never reaches the client.
 */
export type DatabaseFailure = 'QUERY_TIMEOUT' | 'SERVICE_UNAVAILABLE' | 'TRANSACTION_ABORTED' | 'UNSTORABLE_TEXT' | 'WRITE_CONFLICT';

export const DATABASE_FAILURE_MESSAGES: Record<DatabaseFailure, string> = {
  QUERY_TIMEOUT: 'The database took too long to answer this request and it was cancelled; ask for less, or try again',
  SERVICE_UNAVAILABLE: 'The database is unavailable; try again shortly',
  TRANSACTION_ABORTED: 'Not computed: an earlier part of this request failed and ended its database transaction',
  UNSTORABLE_TEXT: 'Text contains a character that cannot be stored (such as U+0000)',
  WRITE_CONFLICT: 'A concurrent write to the same records got in the way, so this request was rolled back and changed nothing; try again',
};

/** The `extensions.code` a client sees for each failure. */
export const DATABASE_FAILURE_CODES: Record<DatabaseFailure, string> = {
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TRANSACTION_ABORTED: 'TRANSACTION_ABORTED',
  // the client's text, not the database, is at fault
  UNSTORABLE_TEXT: 'BAD_USER_INPUT',
  WRITE_CONFLICT: 'WRITE_CONFLICT',
};

// Node's socket errors, and pg-pool's own when it cannot hand out a connection.
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH']);
const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end on the pool/i,
  /Connection is not established/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** The innermost cause, through GraphQL's and TypeORM's wrappers. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  for (let hops = 0; current && hops < 8; hops++) {
    chain.push(current);
    const wrapper = current as { originalError?: unknown; driverError?: unknown; cause?: unknown };
    const next = wrapper.originalError ?? wrapper.driverError ?? wrapper.cause;
    if (!next || next === current) break;
    current = next;
  }
  return chain;
}

export function classifyDatabaseError(error: unknown): DatabaseFailure | null {
  for (const cause of causes(error)) {
    if (!cause || typeof cause !== 'object') continue;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      // query_canceled: statement_timeout (or a cancel request)
      if (code === '57014') return 'QUERY_TIMEOUT';
      // admin_shutdown, crash_shutdown, cannot_connect_now, connection exceptions, too many connections
      if (code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08') || code === '53300') return 'SERVICE_UNAVAILABLE';
      if (CONNECTION_ERRNOS.has(code)) return 'SERVICE_UNAVAILABLE';
      if (code === '25P02') return 'TRANSACTION_ABORTED';
      // deadlock_detected, serialization_failure: Postgres rolled the transaction back whole
      if (code === '40P01' || code === '40001') return 'WRITE_CONFLICT';
      // character_not_in_repertoire (a NUL in text), untranslatable_character
      if (code === '22021' || code === '22P05') return 'UNSTORABLE_TEXT';
    }
    const message = (cause as { message?: unknown }).message;
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return 'SERVICE_UNAVAILABLE';
  }
  return null;
}

/** A client error for a database outage, with HTTP 503 and Retry-After when it ends a request early. */
export function serviceUnavailableError(retryAfterSeconds = 1): GraphQLError {
  return requestError(DATABASE_FAILURE_MESSAGES.SERVICE_UNAVAILABLE, 'SERVICE_UNAVAILABLE', 503, {}, { 'retry-after': String(retryAfterSeconds) });
}
