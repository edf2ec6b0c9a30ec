import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, ErrorCode } from './errors';

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
    case ErrorCode.PUBLISHED:
    case ErrorCode.LAST_OWNER:
      return code;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

// GraphQL's own validation messages end with "Did you mean ...?" — a free tour of the schema's
// hidden names for anyone probing with introspection off.
const SUGGESTION = /\s*Did you mean .*\?$/;

/** Codes Apollo and graphql-js give to errors in the request itself (syntax, validation, variables). */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED',
]);

interface ValidationErrorLike { property: string; constraints?: Record<string, string>; children?: ValidationErrorLike[] }

function flattenValidation(errors: ValidationErrorLike[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) => ({ field: `${prefix}${error.property}`, message })),
    ...flattenValidation(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}

/**
 * The single place errors become what clients see. Domain errors keep their message and code;
 * GraphQL's own request errors (parse, validation, variables) pass without stack traces or
 * suggestions; anything else is unexpected and reaches the client only as INTERNAL_SERVER_ERROR
 * (the request id is added by the request plugin, and the real error is logged there).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    return { ...base, message: original.message, extensions: { ...original.details, code: graphqlCode(original.code) } };
  }
  // type-graphql's ArgumentValidationError carries class-validator's findings in extensions
  const validation = (original as { extensions?: { validationErrors?: ValidationErrorLike[] } } | null)?.extensions?.validationErrors;
  if (original instanceof GraphQLError && Array.isArray(validation)) {
    const problems = flattenValidation(validation);
    return {
      ...base,
      message: problems.length ? `Invalid input: ${problems.map((problem) => problem.message).join('; ')}` : 'Invalid input',
      extensions: { code: ErrorCode.BAD_USER_INPUT, problems },
    };
  }
  const code = formatted.extensions?.code;
  if (original instanceof GraphQLError && typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    return { ...base, message: formatted.message.replace(SUGGESTION, ''), extensions: { code } };
  }
  return { ...base, message: 'Internal server error', extensions: { code: INTERNAL_SERVER_ERROR } };
}
