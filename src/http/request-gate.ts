import { createHash } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Authenticator, AuthResult } from '../modules/auth/authenticator';
import { rateLimitedError, setRateLimitHeaders, tooManyInFlightError, type RateLimitDecision } from './rate-limit';
import { classifyDatabaseError, serviceUnavailableError } from '../shared/database-errors';
import { httpHeadersOf, httpStatusOf } from './http-errors';
import { addErrorCodes, recordOf } from './request-log';
import type { OperationPipeline, OperationRequest } from './operation-pipeline';
import type { DocumentRequest } from './trusted-documents';

export interface RequestGateDeps {
  pipeline: OperationPipeline;
  authenticator: Authenticator;
  windowSeconds: number;
  allowBatchedRequests: boolean;
}

const AUTH_RESULT = 'claimgraphAuth';
const FINGERPRINT = 'claimgraphCaller';
/** How long a repeated refusal is held before it is sent. */
const REFUSAL_PAUSE_MS = 1000;
/** Refusals held at once; past this they are sent without a pause (sockets are a resource too). */
const MAX_HELD_REFUSALS = 2000;

/** The gate's authentication of this request, reused by Apollo's context so it runs once. */
export function gateAuthResult(response: Response): AuthResult | undefined {
  return response.locals[AUTH_RESULT] as AuthResult | undefined;
}

/**
 * Callers refused for their budget, by a digest of the credentials they sent (or their address
 * when they sent none), until their window resets: the rest of a flood is refused from memory,
 * before its body is read or its credentials looked up, so it costs the database nothing.
 */
class RefusedCallers {
  private readonly until = new Map<string, number>();
  constructor(private readonly capacity = 10_000) {}

  static fingerprint(request: Request): string {
    const authorization = request.get('authorization');
    const devUser = request.get('x-claimgraph-user');
    if (!authorization && !devUser) return `ip:${request.ip ?? 'unknown'}`;
    return createHash('sha256')
      .update(`${authorization ?? ''}\n${devUser ?? ''}`)
      .digest('base64url');
  }

  retryAfterSeconds(fingerprint: string): number | null {
    const until = this.until.get(fingerprint);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left <= 0) {
      this.until.delete(fingerprint);
      return null;
    }
    return Math.ceil(left / 1000);
  }

  refuse(fingerprint: string, seconds: number): void {
    this.until.delete(fingerprint);
    this.until.set(fingerprint, Date.now() + seconds * 1000);
    if (this.until.size > this.capacity) this.until.delete(this.until.keys().next().value as string);
  }
}

/** Credential fingerprints that authenticated recently (bounded, oldest forgotten first). */
class RecentSet {
  private readonly entries = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(value: string): boolean {
    return this.entries.has(value);
  }

  add(value: string): void {
    if (this.entries.has(value)) return;
    this.entries.add(value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.values().next().value as string);
  }
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function jsonParameter(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'string') return objectOrNull(value);
  try {
    return objectOrNull(JSON.parse(value));
  } catch {
    return null;
  }
}

/** Whether the client named its document by an id or a hash rather than sending it. */
function namesDocument(document: DocumentRequest): boolean {
  return document.documentId !== undefined || document.doc_id !== undefined || objectOrNull(document.extensions)?.persistedQuery !== undefined;
}

/**
 * Hands Apollo the resolved document in place of its id or hash, so Apollo (whose own persisted
 * queries stay off) parses and runs exactly what the pipeline limited and priced.
 */
function substituteDocument(request: Request, index: number, query: string): void {
  if (request.method === 'GET') {
    const url = new URL(request.url, 'http://gate.invalid');
    url.searchParams.set('query', query);
    url.searchParams.delete('documentId');
    url.searchParams.delete('doc_id');
    const extensions = jsonParameter(url.searchParams.get('extensions'));
    if (extensions) {
      delete extensions.persistedQuery;
      url.searchParams.set('extensions', JSON.stringify(extensions));
    }
    request.url = `${url.pathname}${url.search}`;
    return;
  }
  const body = objectOrNull(Array.isArray(request.body) ? request.body[index] : request.body);
  if (!body) return;
  body.query = query;
  delete body.documentId;
  delete body.doc_id;
  const extensions = objectOrNull(body.extensions);
  if (extensions) {
    const { persistedQuery: _resolved, ...rest } = extensions;
    body.extensions = rest;
  }
}

function toOperation(raw: unknown): OperationRequest {
  const body = objectOrNull(raw) ?? {};
  return {
    operationName: typeof body.operationName === 'string' ? body.operationName : null,
    variables: objectOrNull(body.variables),
    document: { query: body.query, documentId: body.documentId, doc_id: body.doc_id, extensions: body.extensions },
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
    return [
      {
        operationName: typeof params.operationName === 'string' ? params.operationName : null,
        variables: jsonParameter(params.variables),
        document: { query: params.query, documentId: params.documentId, doc_id: params.doc_id, extensions: jsonParameter(params.extensions) ?? undefined },
      },
    ];
  }
  return null;
}

/**
 * The HTTP side of the request pipeline (src/http/operation-pipeline.ts), in front of Apollo.
 * Before the body is read: a caller refused moments ago, or with too many requests in flight, is
 * refused. After: the pipeline's admission of every operation (document, parse, limits, operation
 * name, text; no credential lookup, no SQL, no resolver for a refused request), then
 * authentication (once; Apollo's context reuses it), then the caller's points for the window.
 * What the gate refuses gets a GraphQL-shaped error body naming the problem; a body without a
 * query goes on to Apollo, which answers it, at the cost of one point.
 */
export interface RequestGate {
  /** Mounted before body parsing: a caller refused moments ago is refused again without reading its body. */
  beforeBody: RequestHandler;
  /** Mounted after body parsing, right before Apollo. */
  afterBody: RequestHandler;
}

export function requestGate(deps: RequestGateDeps): RequestGate {
  const { pipeline } = deps;
  const rateLimiter = pipeline.rateLimiter;
  const refused = new RefusedCallers();
  const provenCallers = new RecentSet(10_000);

  const refuse = (request: Request, response: Response, errors: GraphQLError[]): void => {
    const record = recordOf(response);
    const formatted = pipeline.formatErrors(errors);
    addErrorCodes(
      record,
      formatted.map((error) => error.extensions?.code),
    );
    response.status(httpStatusOf(errors[0]));
    for (const [name, value] of httpHeadersOf(errors[0])) response.setHeader(name, value);
    const type = request.get('accept')?.includes('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';
    response.type(type).send(JSON.stringify({ errors: formatted }));
  };

  let held = 0;

  /**
   * Sends `answer` after a pause (a tarpit): a client that ignores Retry-After and retries at once
   * then sends about one request a second per connection, not thousands, and its refusals stop
   * costing the other teams CPU. Past MAX_HELD_REFUSALS held at once, answers go out at once.
   */
  const answerLater = (response: Response, pauseMs: number, answer: () => void): void => {
    if (held >= MAX_HELD_REFUSALS) {
      answer();
      return;
    }
    held++;
    let pending = true;
    const done = () => {
      if (!pending) return false;
      pending = false;
      held--;
      return true;
    };
    const timer = setTimeout(() => {
      if (done() && !response.headersSent && !response.destroyed) answer();
    }, pauseMs);
    // the client gave up waiting
    response.once('close', () => {
      if (done()) clearTimeout(timer);
    });
  };

  /**
   * Before the body is read: a caller refused for its budget moments ago is refused again, and one
   * with too many requests in flight is refused — both after a pause, and neither costs a body
   * parse, a credential lookup or SQL.
   */
  const beforeBody: RequestHandler = (request, response, next) => {
    if (!rateLimiter.enabled || (request.method !== 'POST' && request.method !== 'GET')) return next();
    const fingerprint = RefusedCallers.fingerprint(request);
    // Credentials never seen to work are the address's: guessing tokens from a refused address is refused.
    const address = `ip:${request.ip ?? 'unknown'}`;
    const refusedAs =
      refused.retryAfterSeconds(fingerprint) !== null
        ? fingerprint
        : !provenCallers.has(fingerprint) && refused.retryAfterSeconds(address) !== null
          ? address
          : null;
    const waitSeconds = refusedAs ? refused.retryAfterSeconds(refusedAs) : null;
    if (refusedAs && waitSeconds !== null) {
      return answerLater(response, Math.min(waitSeconds * 1000, REFUSAL_PAUSE_MS), () => {
        const left = refused.retryAfterSeconds(refusedAs) ?? 1;
        const decision: RateLimitDecision = { allowed: false, limit: rateLimiter.limit, remaining: 0, resetSeconds: left, retryAfterSeconds: left };
        setRateLimitHeaders(response, decision);
        refuse(request, response, [rateLimitedError(decision, null, deps.windowSeconds)]);
      });
    }
    const release = rateLimiter.acquire(fingerprint);
    if (!release) {
      return answerLater(response, REFUSAL_PAUSE_MS, () => refuse(request, response, [tooManyInFlightError(rateLimiter.concurrency)]));
    }
    response.once('close', release);
    response.locals[FINGERPRINT] = fingerprint;
    next();
  };

  const afterBody: RequestHandler = async (request: Request, response: Response, next: NextFunction) => {
    const operations = operationsOf(request, deps.allowBatchedRequests);
    if (!operations) return next();
    const record = recordOf(response);
    let cost = 0;
    for (const [index, operation] of operations.entries()) {
      const admission = pipeline.admit(operation);
      if (admission.kind === 'unmeasured') {
        cost += 1;
        continue;
      }
      const analysis = admission.analysis;
      if (record && analysis && (operations.length === 1 || admission.kind === 'refused')) {
        record.operationName = analysis.operationName;
        record.operationType = analysis.operationType;
      }
      // one refused operation refuses its whole batch: nothing of it runs
      if (admission.kind === 'refused') return refuse(request, response, admission.errors);
      if (namesDocument(operation.document)) substituteDocument(request, index, admission.query);
      cost += admission.cost;
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

    if (!rateLimiter.enabled) return next();
    const fingerprint = response.locals[FINGERPRINT] as string | undefined;
    if (auth.actor && fingerprint) provenCallers.add(fingerprint);
    const { key, decision, error } = await pipeline.charge(auth.actor, request.ip, cost);
    setRateLimitHeaders(response, decision);
    if (error && !decision.allowed) {
      if (fingerprint) refused.refuse(fingerprint, decision.retryAfterSeconds);
      // counted against the address (no credentials, or refused ones): refuse the address
      if (key.startsWith('ip:')) refused.refuse(`ip:${request.ip ?? 'unknown'}`, decision.retryAfterSeconds);
      return refuse(request, response, [error]);
    }
    next();
  };

  return { beforeBody, afterBody };
}
