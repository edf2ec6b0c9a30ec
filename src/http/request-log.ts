import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { Context } from '../shared/context';
import type { Metrics } from './metrics';

export const REQUEST_ID_HEADER = 'x-request-id';
const CLIENT_REQUEST_ID = /^[\w-]{1,64}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** What one HTTP request did, filled in along the way and logged as one line when it ends. */
export interface RequestRecord {
  requestId: string;
  startedAt: bigint;
  method: string;
  path: string;
  ip: string | undefined;
  /** undefined: no operation was identified; null: an anonymous operation. */
  operationName?: string | null;
  operationType?: string;
  userId?: string | null;
  cost?: number;
  errorCodes: Set<string>;
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function recordOf(response: Response): RequestRecord | undefined {
  return response.locals.requestRecord as RequestRecord | undefined;
}

export function requestIdOf(response: Response): string {
  return recordOf(response)?.requestId ?? randomUUID();
}

export function addErrorCodes(record: RequestRecord | undefined, codes: Iterable<unknown>): void {
  if (!record) return;
  for (const code of codes) if (typeof code === 'string' && ERROR_CODE.test(code)) record.errorCodes.add(code);
}

/**
 * First middleware of every request: its id (the client's X-Request-Id when well-formed, else a
 * new UUID), sent back as a response header and carried by every log line of the request; then,
 * when the response ends, one JSON line — request id, operation, duration, caller, status, error
 * codes — and the request's metrics. Headers and bodies are never logged, so neither are tokens
 * nor passwords.
 */
export function requestTracking(log: Logger, metrics: Metrics): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const header = request.headers[REQUEST_ID_HEADER];
    const requestId = typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
    const record: RequestRecord = {
      requestId,
      startedAt: process.hrtime.bigint(),
      method: request.method,
      path: request.path,
      ip: request.ip,
      errorCodes: new Set(),
    };
    response.locals.requestRecord = record;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    metrics.inFlight.inc();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      metrics.inFlight.dec();
      const durationMs = Number(process.hrtime.bigint() - record.startedAt) / 1e6;
      // a response cut off before it was complete (client gone, shutdown deadline)
      const status = response.writableFinished ? response.statusCode : 499;
      const graphql = record.path === '/graphql';
      if (graphql) {
        metrics.observeRequest({
          operationName: record.operationName,
          operationType: record.operationType,
          status,
          durationSeconds: durationMs / 1000,
          errorCodes: record.errorCodes,
        });
      }
      const line = {
        requestId,
        method: record.method,
        path: record.path,
        status,
        durationMs: Math.round(durationMs * 10) / 10,
        operationName: record.operationName,
        operationType: record.operationType,
        userId: record.userId ?? undefined,
        cost: record.cost,
        errorCodes: record.errorCodes.size ? [...record.errorCodes] : undefined,
      };
      if (QUIET_PATHS.has(record.path)) log.debug(line, 'request');
      else log.info(line, 'request');
    };
    response.once('finish', finish);
    response.once('close', finish);
    next();
  };
}

// Apollo may shallow-copy the context object, but the session is held by reference: key on it.
const contextRecords = new WeakMap<object, RequestRecord>();

export function bindRequestRecord(context: Context, record: RequestRecord | undefined): void {
  if (record) contextRecords.set(context.session, record);
}

function recordOfContext(context: Context | undefined): RequestRecord | undefined {
  return context?.session ? contextRecords.get(context.session) : undefined;
}

/**
 * Apollo's view of the request for the log line and metrics: the operation, the caller, the error
 * codes clients got. A database outage answers HTTP 503 with Retry-After.
 */
export function requestRecordPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const record = recordOfContext(contextValue);
      if (record) record.userId = contextValue.session.actor?.userId ?? null;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!record) return;
          record.operationName = operationName ?? null;
          record.operationType = operation?.operation;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const codes = (response.body.singleResult.errors ?? []).map((error) => error.extensions?.code);
          addErrorCodes(record, codes);
          if (codes.includes('SERVICE_UNAVAILABLE')) {
            response.http.status = 503;
            response.http.headers.set('retry-after', '1');
          }
        },
      };
    },
  };
}
