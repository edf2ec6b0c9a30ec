import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, ErrorCode } from '../shared/errors';
import { classifyDatabaseError, DATABASE_FAILURE_CODES, DATABASE_FAILURE_MESSAGES } from '../shared/database-errors';
import { QUERY_LIMIT_CODES } from './query-limits';
import { formattedRequestError, httpHeadersOf } from './http-errors';
import { TRUSTED_DOCUMENT_CODES } from './trusted-documents';

export const INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR';

/** Exhaustive: a new ErrorCode does not compile until it is given a GraphQL code here. */
function graphqlCode(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.FORBIDDEN:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.BAD_USER_INPUT:
    case ErrorCode.VERSION_CONFLICT:
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.ANCHOR_NOT_FOUND:
    case ErrorCode.ANCHOR_AMBIGUOUS:
    case ErrorCode.ANCHOR_OUT_OF_RANGE:
    case ErrorCode.PAYLOAD_TOO_LARGE:
    case ErrorCode.PAYLOAD_TOO_COMPLEX:
    case ErrorCode.PUBLISHED:
    case ErrorCode.LAST_OWNER:
    case ErrorCode.NOT_SETTLED:
      return code;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

// GraphQL's own validation messages end with "Did you mean ...?" — a free tour of the schema's
// hidden names for anyone probing with introspection off.
const SUGGESTION = /\s*Did you mean [\s\S]*\?\s*$/;

/**
 * Refusals of the request as a whole (limits, rate limits, an unavailable database): clients get
 * the code and these details, which name the limit and the value, nothing else.
 */
const OPERATIONAL_CODES = new Set<string>([
  ...QUERY_LIMIT_CODES,
  'RATE_LIMITED',
  'TOO_MANY_SUBSCRIPTIONS',
  'SERVICE_UNAVAILABLE',
  'QUERY_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
]);
const OPERATIONAL_DETAILS = ['limit', 'value', 'field', 'cost', 'retryAfterSeconds'];

/** Codes Apollo and graphql-js give to errors in the request itself (syntax, validation, variables). */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ...TRUSTED_DOCUMENT_CODES,
]);

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

function flattenValidation(errors: ValidationErrorLike[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) => ({ field: `${prefix}${error.property}`, message })),
    ...flattenValidation(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}

/**
 * The error a resolver threw. graphql-js's executor wraps it once (unwrapResolverError); another
 * executor (graphql-jit) wraps it in an error class of its own, which Apollo wraps again: look a
 * few `originalError`s deep for a domain error or a type-graphql validation error.
 */
function resolverCause(error: unknown): unknown {
  const outer = unwrapResolverError(error);
  let current: unknown = outer;
  for (let hops = 0; current && typeof current === 'object' && hops < 4; hops++) {
    if (current instanceof DomainError) return current;
    if (Array.isArray((current as { extensions?: { validationErrors?: unknown } }).extensions?.validationErrors)) return current;
    const inner = (current as { originalError?: unknown }).originalError;
    if (!inner || inner === current) break;
    current = inner;
  }
  return outer;
}

/**
 * The single place errors become what clients see. Domain errors keep their message and code;
 * GraphQL's own request errors (parse, validation, variables) pass without stack traces or
 * suggestions; anything else is unexpected and reaches the client only as INTERNAL_SERVER_ERROR
 * (the request id is added by the request plugin, and the real error is logged there).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = resolverCause(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    return { ...base, message: original.message, extensions: { ...original.details, code: graphqlCode(original.code) } };
  }
  // type-graphql's ArgumentValidationError carries class-validator's findings in extensions
  const validation = (original as { extensions?: { validationErrors?: ValidationErrorLike[] } } | null)?.extensions?.validationErrors;
  if (Array.isArray(validation)) {
    const problems = flattenValidation(validation);
    return {
      ...base,
      message: problems.length ? `Invalid input: ${problems.map((problem) => problem.message).join('; ')}` : 'Invalid input',
      extensions: { code: ErrorCode.BAD_USER_INPUT, problems },
    };
  }
  const code = formatted.extensions?.code;
  if (original instanceof GraphQLError && typeof code === 'string' && OPERATIONAL_CODES.has(code)) {
    const details = Object.fromEntries(
      OPERATIONAL_DETAILS.filter((key) => formatted.extensions?.[key] !== undefined).map((key) => [key, formatted.extensions![key]]),
    );
    return { ...base, extensions: { ...details, code } };
  }
  const failure = classifyDatabaseError(original);
  if (failure) return { ...base, message: DATABASE_FAILURE_MESSAGES[failure], extensions: { code: DATABASE_FAILURE_CODES[failure] } };
  if (original instanceof GraphQLError && typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    // Apollo's own wording names Apollo and how to reconfigure it
    if (formatted.extensions?.validationErrorCode === 'INTROSPECTION_DISABLED') {
      return { ...base, message: 'Introspection is disabled on this server', extensions: { code } };
    }
    const tokens = /Document contains more tha[nt] (\d+) tokens/.exec(formatted.message);
    if (tokens) {
      const limit = Number(tokens[1]);
      return {
        ...base,
        message: `The document has more than ${limit} tokens; the limit is ${limit}`,
        extensions: { code: 'TOO_MANY_TOKENS', limit, value: limit + 1 },
      };
    }
    return { ...base, message: formatted.message.replace(SUGGESTION, ''), extensions: { code } };
  }
  return { ...base, message: 'Internal server error', extensions: { code: INTERNAL_SERVER_ERROR } };
}

/** HTTP status of a domain error answered outside a GraphQL response (downloads). Exhaustive. */
function domainStatus(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.PAYLOAD_TOO_COMPLEX:
      return 422;
    case ErrorCode.VERSION_CONFLICT:
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.PUBLISHED:
    case ErrorCode.LAST_OWNER:
    case ErrorCode.NOT_SETTLED:
      return 409;
    case ErrorCode.BAD_USER_INPUT:
    case ErrorCode.ANCHOR_NOT_FOUND:
    case ErrorCode.ANCHOR_AMBIGUOUS:
    case ErrorCode.ANCHOR_OUT_OF_RANGE:
      return 400;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** The HTTP status for a client-facing error code: domain codes above, the operational ones here. */
export function httpStatusForCode(code: string): number {
  if ((Object.values(ErrorCode) as string[]).includes(code)) return domainStatus(code as ErrorCode);
  switch (code) {
    case 'RATE_LIMITED':
    case 'TOO_MANY_REQUESTS':
      return 429;
    case 'SERVICE_UNAVAILABLE':
    case 'QUERY_TIMEOUT':
      return 503;
    case 'WRITE_CONFLICT':
      return 409;
    case INTERNAL_SERVER_ERROR:
    case 'TRANSACTION_ABORTED':
      return 500;
    default:
      // request errors (parse, validation, limits) are the client's
      return 400;
  }
}

export interface HttpAnswer {
  status: number;
  headers: [string, string][];
  body: { errors: GraphQLFormattedError[] };
}

/**
 * Any error as a complete HTTP answer, for routes that are not GraphQL (downloads) and for the
 * server's last error handler: the same formatError, a status for its code (a database outage is
 * 503 with Retry-After, as over GraphQL), and the request id on an unexpected error. Total: every
 * error gets an answer; none leaks its text.
 */
export function httpAnswer(error: unknown, requestId: string): HttpAnswer {
  const graphQLError =
    error instanceof GraphQLError
      ? error
      : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined });
  const formatted = formatError(formattedRequestError(graphQLError), graphQLError);
  const code = String(formatted.extensions?.code);
  const explicit = (graphQLError.extensions as { http?: { status?: number } }).http?.status;
  const headers = httpHeadersOf(graphQLError);
  if (code === 'SERVICE_UNAVAILABLE' && !headers.some(([name]) => name.toLowerCase() === 'retry-after')) headers.push(['retry-after', '1']);
  const body = code === INTERNAL_SERVER_ERROR ? { ...formatted, extensions: { ...formatted.extensions, requestId } } : formatted;
  return { status: explicit ?? httpStatusForCode(code), headers, body: { errors: [body] } };
}
