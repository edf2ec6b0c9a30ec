import { GraphQLError, type GraphQLErrorOptions, type GraphQLFormattedError } from 'graphql';

/**
 * An error that refuses a whole request, with the HTTP status (and headers) Apollo should answer
 * with: Apollo reads `extensions.http` and strips it before the client sees the error.
 */
export function requestError(
  message: string,
  code: string,
  status: number,
  details: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): GraphQLError {
  // graphql-yoga's typings (pulled in by the GraphiQL renderer) retype `extensions.http` globally;
  // Apollo wants a Map of headers.
  const http = { status, headers: new Map(Object.entries(headers)) };
  return new GraphQLError(message, { extensions: { ...details, code, http } as unknown as GraphQLErrorOptions['extensions'] });
}

/** The same error as the JSON a client gets, for answers sent before Apollo runs. */
export function formattedRequestError(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return { message: error.message, ...(error.locations ? { locations: error.locations } : {}), extensions };
}

export function httpStatusOf(error: GraphQLError): number {
  return (error.extensions as { http?: { status?: number } }).http?.status ?? 400;
}

export function httpHeadersOf(error: GraphQLError): [string, string][] {
  const headers = (error.extensions as { http?: { headers?: Map<string, string> } }).http?.headers;
  return headers ? [...headers.entries()] : [];
}
