import { GraphQLError, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Authenticator, AuthResult } from '../modules/auth/authenticator';
import type { QueryLimits } from './query-limits';
import { analyzeOperation, operationCost, queryLimitErrors, tokenLimitError } from './query-limits';
import { RateLimiter, rateLimitKey, rateLimitedError, tooManyInFlightError } from './rate-limit';
import { classifyDatabaseError, serviceUnavailableError } from './database-errors';
import { formattedRequestError, httpHeadersOf, httpStatusOf } from './http-errors';
import { formatError } from './format-error';
import { addErrorCodes, recordOf } from './request-log';

interface OperationRequest {
  query: string | null;
  operationName: string | null;
  variables: Record<string, unknown> | null;
}

export interface RequestGateDeps {
  schema: GraphQLSchema;
  limits: QueryLimits;
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  windowSeconds: number;
  allowBatchedRequests: boolean;
  log: Logger;
}

const AUTH_RESULT = 'claimgraphAuth';

/** The gate's authentication of this request, reused by Apollo's context so it runs once. */
export function gateAuthResult(response: Response): AuthResult | undefined {
  return response.locals[AUTH_RESULT] as AuthResult | undefined;
}

/** Parsed documents of recent small queries: most traffic repeats a few front-end queries. */
class DocumentCache {
  private readonly entries = new Map<string, DocumentNode>();
  constructor(private readonly capacity = 500, private readonly maxLength = 8192) {}

  parse(query: string, maxTokens: number): DocumentNode {
    const cached = this.entries.get(query);
    if (cached) {
      this.entries.delete(query);
      this.entries.set(query, cached);
      return cached;
    }
    const document = parse(query, { maxTokens, noLocation: true });
    if (query.length <= this.maxLength) {
      this.entries.set(query, document);
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    }
    return document;
  }
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function toOperation(raw: unknown): OperationRequest {
  const body = objectOrNull(raw) ?? {};
  return {
    query: typeof body.query === 'string' ? body.query : null,
    operationName: typeof body.operationName === 'string' ? body.operationName : null,
    variables: objectOrNull(body.variables),
  };
}

/** The operations of a GraphQL-over-HTTP request, as Apollo will read them (null: nothing to measure). */
function operationsOf(request: Request, allowBatched: boolean): OperationRequest[] | null {
  if (request.method === 'POST') {
    if (Array.isArray(request.body)) return allowBatched ? request.body.map(toOperation) : null;
    return [toOperation(request.body)];
  }
  if (request.method === 'GET') {
    const params = request.query as Record<string, unknown>;
    let variables: Record<string, unknown> | null = null;
    if (typeof params.variables === 'string') {
      try {
        variables = objectOrNull(JSON.parse(params.variables));
      } catch {
        variables = null;
      }
    }
    return [{
      query: typeof params.query === 'string' ? params.query : null,
      operationName: typeof params.operationName === 'string' ? params.operationName : null,
      variables,
    }];
  }
  return null;
}

/**
 * The gate every GraphQL HTTP request passes before Apollo: query limits first (no credential
 * lookup, no SQL, no resolver for a request over a limit), then authentication (once; Apollo's
 * context reuses it), then the caller's rate limit and in-flight cap. What the gate refuses gets
 * a GraphQL-shaped error body naming the limit; anything it cannot measure (syntax errors,
 * malformed bodies) goes on to Apollo, which answers it, at the cost of one point.
 */
export function requestGate(deps: RequestGateDeps): RequestHandler {
  const documents = new DocumentCache();

  const refuse = (request: Request, response: Response, errors: GraphQLError[]): void => {
    const record = recordOf(response);
    const formatted = errors.map((error) => formatError(formattedRequestError(error), error));
    addErrorCodes(record, formatted.map((error) => error.extensions?.code));
    response.status(httpStatusOf(errors[0]));
    for (const [name, value] of httpHeadersOf(errors[0])) response.setHeader(name, value);
    const type = request.get('accept')?.includes('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';
    response.type(type).send(JSON.stringify({ errors: formatted }));
  };

  return async (request: Request, response: Response, next: NextFunction) => {
    const operations = operationsOf(request, deps.allowBatchedRequests);
    if (!operations) return next();
    const record = recordOf(response);
    let cost = 0;
    for (const operation of operations) {
      if (operation.query === null) {
        cost += 1;
        continue;
      }
      let document: DocumentNode;
      try {
        document = documents.parse(operation.query, deps.limits.maxTokens);
      } catch (error) {
        const tooLong = tokenLimitError(error, deps.limits);
        if (tooLong) return refuse(request, response, [tooLong]);
        cost += 1;
        continue;
      }
      const analysis = analyzeOperation(deps.schema, document, operation.operationName, operation.variables);
      if (analysis) {
        const errors = queryLimitErrors(analysis, deps.limits);
        if (errors.length) {
          if (record) {
            record.operationName = analysis.operationName;
            record.operationType = analysis.operationType;
          }
          return refuse(request, response, errors);
        }
        if (record && operations.length === 1) {
          record.operationName = analysis.operationName;
          record.operationType = analysis.operationType;
        }
      }
      cost += operationCost(analysis);
    }
    if (record) record.cost = cost;

    let auth: AuthResult;
    try {
      auth = await deps.authenticator.authenticateRequest(request.headers);
    } catch (error) {
      if (classifyDatabaseError(error) === 'SERVICE_UNAVAILABLE') return refuse(request, response, [serviceUnavailableError()]);
      return next(error);
    }
    response.locals[AUTH_RESULT] = auth;
    if (record) record.userId = auth.actor?.userId ?? null;

    if (!deps.rateLimiter.enabled) return next();
    const key = rateLimitKey(auth.actor, request.ip);
    const release = deps.rateLimiter.acquire(key);
    if (!release) return refuse(request, response, [tooManyInFlightError(deps.rateLimiter.concurrency)]);
    response.once('close', release);
    const decision = await deps.rateLimiter.consume(key, cost);
    response.setHeader('x-ratelimit-limit', String(decision.limit));
    response.setHeader('x-ratelimit-remaining', String(decision.remaining));
    // as GitHub: the epoch second the window resets
    response.setHeader('x-ratelimit-reset', String(Math.ceil(Date.now() / 1000) + decision.resetSeconds));
    if (!decision.allowed) {
      release();
      return refuse(request, response, [rateLimitedError(decision, cost, deps.windowSeconds)]);
    }
    next();
  };
}
