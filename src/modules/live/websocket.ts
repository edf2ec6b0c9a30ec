import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import {
  GraphQLError,
  createSourceEventStream,
  execute,
  getOperationAST,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Logger } from 'pino';
import type { AuthResult, Authenticator } from '../auth/authenticator';
import { createContext, type Context, type ContextDeps } from '../../shared/context';
import { formatError, INTERNAL_SERVER_ERROR } from '../../http/format-error';
import { DomainError, ErrorCode } from '../../shared/errors';
import { requestError } from '../../http/http-errors';
import { invalidText } from '../../shared/text';
import { EventHub, type LiveNotice } from './event-hub';
import type { OperationPipeline } from '../../http/operation-pipeline';
import { subscriptionsOpen } from '../../http/metrics';
import type { LiveContext, LiveSession } from './live.resolver';

/**
 * Runs a query or mutation the way HTTP requests run (Apollo's request pipeline: validation,
 * execution, the request plugin's commit, formatError), with the given context.
 */
export type ExecuteOperation = (
  request: { query: string; operationName: string | null; variables: Record<string, unknown> | null },
  context: Context,
) => Promise<FormattedExecutionResult>;

export interface LiveServerDeps {
  httpServer: http.Server;
  schema: GraphQLSchema;
  authenticator: Authenticator;
  contextDeps: ContextDeps;
  /** The database the live-event connection reads history from (the same one the pool uses). */
  connectionString: string;
  /** LIVE_POLL_INTERVAL_MS: how often the event hub reads new history while anyone is subscribed. */
  pollIntervalMs?: number;
  log: Logger;
  production: boolean;
  /**
   * The request pipeline HTTP requests go through: every operation is resolved, parsed, checked
   * and priced by it, against the same budget (token, user or address); a connection costs a point.
   */
  pipeline: OperationPipeline;
  /** Queries and mutations execute and commit through this (Apollo), exactly as over HTTP. */
  executeOperation: ExecuteOperation;
}

/** Subscriptions one WebSocket may hold open at once; more are refused with TOO_MANY_SUBSCRIPTIONS. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;

/** The close code a connection refused for its caller's budget gets (RFC 6455: try again later). */
export const CLOSE_TRY_AGAIN_LATER = 1013;

export interface LiveServer {
  hub: EventHub;
  dispose(): Promise<void>;
}

type Credentials = Record<string, string>;

/**
 * graphql-ws connection parameters as request headers: keys lower-cased (clients send
 * `Authorization` or `authorization` alike), string values only. A nested `headers` object, as
 * some clients send, is read too; top-level keys win.
 */
export function connectionCredentials(params: unknown): Credentials {
  const credentials: Credentials = {};
  const copy = (source: unknown): void => {
    if (!source || typeof source !== 'object' || Array.isArray(source)) return;
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      if (typeof value === 'string') credentials[key.toLowerCase()] = value;
    }
  };
  copy((params as { headers?: unknown } | null | undefined)?.headers);
  copy(params);
  return credentials;
}

/** A GraphQLError that formatError recognises as the given domain error. */
function domainGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { path: [], originalError: error });
}

/** A validation error of a subscription, coded as Apollo codes those of queries and mutations. */
function validationError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });
}

type Delivery = { kind: 'skip' } | { kind: 'next'; result: ExecutionResult } | { kind: 'last'; result: ExecutionResult };

/**
 * The response stream of one subscription: each notice becomes one execution of the operation,
 * with the notice as root value and a context of its own. `return()` closes the notice stream at
 * once, so an unsubscribe never waits for the next event.
 */
class PerEventResults implements AsyncIterableIterator<ExecutionResult> {
  private finished = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly deliver: (notice: LiveNotice) => Promise<Delivery>,
    private readonly log: Logger,
    /** Called once, when the stream ends for any reason (unsubscribe, socket closed, last event). */
    private readonly onEnd: () => void,
  ) {}

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    this.onEnd();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    while (!this.finished) {
      const item = await this.source.next();
      if (item.done) break;
      let delivery: Delivery;
      try {
        delivery = await this.deliver(item.value as LiveNotice);
      } catch (error) {
        // One event failed (the database blinked?): say so, and keep the subscription.
        this.log.error({ err: error }, 'could not deliver a live event');
        delivery = { kind: 'next', result: { errors: [new GraphQLError('Internal server error', { extensions: { code: INTERNAL_SERVER_ERROR } })] } };
      }
      if (delivery.kind === 'skip') continue;
      if (delivery.kind === 'last') await this.return();
      return { value: delivery.result, done: false };
    }
    this.end();
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.finished) {
      this.end();
      await this.source.return?.();
    }
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }
}

/**
 * GraphQL over WebSocket (graphql-ws) on the HTTP server's /graphql path. Credentials travel in
 * the connection parameters and are checked like HTTP headers: when connecting, for each
 * operation, and again for every event, together with the caller's membership of the event's
 * team, so a revoked token or a removed member stops receiving at the next event.
 *
 * Queries and mutations run as over HTTP: one context and one transaction, committed when the
 * result is complete. A subscription's own context serves only its subscribe step (permission
 * checks); every event is then executed with a fresh context for the subscriber, whose
 * transaction ends as soon as that event's result is complete, so a slow client never holds a
 * pooled connection.
 */
export function attachLiveServer(deps: LiveServerDeps): LiveServer {
  const log = deps.log.child({ component: 'live' });
  const hub = new EventHub(deps.connectionString, log, deps.pollIntervalMs);
  const wsServer = new WebSocketServer({ server: deps.httpServer, path: '/graphql' });
  const { pipeline } = deps;
  const limiter = pipeline.rateLimiter;
  /**
   * What onSubscribe admitted, handed to the same operation's context (graphql-ws calls one right
   * after the other, with the same connection context): the document text to execute, and the
   * authentication done for the rate limit, so an operation costs one credential lookup. Keyed by
   * connection, then operation id.
   */
  const admitted = new WeakMap<object, Map<string, { query: string; auth: AuthResult | null }>>();
  const admittedFor = (ctx: object): Map<string, { query: string; auth: AuthResult | null }> => {
    let byOperation = admitted.get(ctx);
    if (!byOperation) admitted.set(ctx, (byOperation = new Map()));
    return byOperation;
  };

  /** The document text each query or mutation was admitted with, for its execution. */
  const admittedQueries = new WeakMap<object, string>();

  const formatLiveError = (error: GraphQLError): GraphQLFormattedError => {
    // graphql-js's own request errors (variables) carry neither an original error nor a code
    // requestError's HTTP status and headers are for Apollo's HTTP answers, not for a socket message
    const { http: _http, ...extensions } = (error.toJSON().extensions ?? {}) as Record<string, unknown>;
    const json: GraphQLFormattedError = { ...error.toJSON(), extensions };
    const formatted = error.originalError || json.extensions?.code ? json : { ...json, extensions: { ...json.extensions, code: 'BAD_USER_INPUT' } };
    const result = formatError(formatted, error);
    if (result.extensions?.code === INTERNAL_SERVER_ERROR) log.error({ err: error.originalError ?? error }, 'unexpected error in a WebSocket operation');
    return result;
  };

  const deliver = async (args: ExecutionArgs, live: LiveSession, notice: LiveNotice): Promise<Delivery> => {
    const { actor } = await deps.authenticator.authenticateRequest(live.credentials);
    if (!actor) {
      const error = new DomainError(ErrorCode.UNAUTHENTICATED, 'Your credentials are no longer valid; reconnect to continue');
      return { kind: 'last', result: { errors: [domainGraphQLError(error)] } };
    }
    if (!actor.roleIn(notice.teamId)) return { kind: 'skip' };
    const context = createContext(deps.contextDeps, actor, randomUUID()) as LiveContext;
    context.live = live;
    context.db.setMode('read');
    let result: ExecutionResult;
    try {
      result = await execute({ ...args, rootValue: notice, contextValue: context });
    } finally {
      await context.db.finish('commit').catch((error: unknown) => log.error({ err: error }, 'could not end a live event transaction'));
    }
    // Gone or no longer visible by the time it is delivered: nothing to tell.
    const invisible =
      !result.data && result.errors?.every((error) => error.originalError instanceof DomainError && error.originalError.code === ErrorCode.NOT_FOUND);
    return invisible ? { kind: 'skip' } : { kind: 'next', result };
  };

  const server = useServer<Record<string, unknown> | undefined>(
    {
      isProd: deps.production,
      onConnect: async (ctx) => {
        const credentials = connectionCredentials(ctx.connectionParams);
        // text no header could carry (a NUL) is refused like bad credentials, before any lookup
        if (Object.entries(credentials).some(([key, value]) => invalidText(key) || invalidText(value))) return false;
        const { actor } = await deps.authenticator.authenticateRequest(credentials);
        // refused credentials are counted against the address, as over HTTP (guessing is limited too)
        if (limiter.enabled) {
          const { decision } = await pipeline.charge(actor, ctx.extra.request.socket.remoteAddress, 1);
          if (!decision.allowed) {
            ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, `Rate limit exceeded; try again in ${decision.retryAfterSeconds} seconds`);
            return false;
          }
        }
        // false closes the socket with 4403 Forbidden
        return actor !== null;
      },
      onSubscribe: async (ctx, id, payload) => {
        // ctx.subscriptions holds this operation already, and every other one still running
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          const error = new GraphQLError(
            `Too many operations on this connection: at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} at once; complete some, or open another connection`,
            { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: MAX_SUBSCRIPTIONS_PER_CONNECTION } },
          );
          return [error];
        }
        // graphql-ws wants `query` to be a string: a client that sends a trusted document's id or an
        // APQ hash sends "" with it, and the pipeline resolves the document from those fields
        const admission = pipeline.admit({ operationName: payload.operationName ?? null, variables: payload.variables ?? null, document: payload });
        if (admission.kind === 'unmeasured') return [requestError('A subscribe message needs a query', 'BAD_REQUEST', 400)];
        if (admission.kind === 'refused') return admission.errors;
        let checkedAuth: AuthResult | null = null;
        if (limiter.enabled) {
          const auth = await deps.authenticator.authenticateRequest(connectionCredentials(ctx.connectionParams));
          const { error } = await pipeline.charge(auth.actor, ctx.extra.request.socket.remoteAddress, admission.cost);
          if (error) return [error];
          checkedAuth = auth;
        }
        const { document, analysis } = admission;
        // queries and mutations are validated by Apollo, as over HTTP; subscriptions run here
        if (analysis.operationType === 'subscription') {
          const errors = validate(deps.schema, document);
          if (errors.length) return errors.map(validationError);
        }
        admittedFor(ctx).set(id, { query: admission.query, auth: checkedAuth });
        return { schema: deps.schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context: async (ctx, id, _payload, args) => {
        const credentials = connectionCredentials(ctx.connectionParams);
        const pending = admittedFor(ctx);
        const operation = pending.get(id);
        pending.delete(id);
        const { actor, error } = operation?.auth ?? (await deps.authenticator.authenticateRequest(credentials));
        const context = createContext(deps.contextDeps, actor, randomUUID(), error) as LiveContext;
        context.live = { hub, credentials };
        context.db.setMode(getOperationAST(args.document, args.operationName)?.operation === 'mutation' ? 'write' : 'read');
        pipeline.markAdmitted(context);
        if (operation) admittedQueries.set(context.session, operation.query);
        return context;
      },
      execute: async (args) => {
        const context = args.contextValue as Context;
        const query = admittedQueries.get(context.session);
        if (query === undefined) throw new Error('a WebSocket operation reached execution without the pipeline');
        const result = await deps.executeOperation(
          { query, operationName: args.operationName ?? null, variables: (args.variableValues as Record<string, unknown> | undefined) ?? null },
          context,
        );
        // already formatted (formatError): onNext leaves query and mutation results alone
        return result as ExecutionResult;
      },
      subscribe: async (args) => {
        const context = args.contextValue as LiveContext;
        let source: AsyncIterable<unknown> | ExecutionResult;
        try {
          source = await createSourceEventStream(args);
        } finally {
          await context.db.finish('commit').catch((error: unknown) => log.error({ err: error }, 'could not end a subscribe transaction'));
        }
        if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
        const live = context.live!;
        subscriptionsOpen.inc();
        return new PerEventResults(
          (source as AsyncIterable<unknown>)[Symbol.asyncIterator](),
          (notice) => deliver(args, live, notice),
          log,
          () => subscriptionsOpen.dec(),
        );
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return undefined;
        // query and mutation results come from Apollo with their errors formatted already
        if (getOperationAST(args.document, args.operationName)?.operation !== 'subscription') return result as FormattedExecutionResult;
        return { ...result, errors: result.errors.map(formatLiveError) };
      },
      // the pipeline's refusals, formatted as HTTP formats them
      onError: (_ctx, _id, _payload, errors) => pipeline.formatErrors(errors),
    },
    wsServer,
  );

  return {
    hub,
    dispose: async () => {
      await server.dispose();
      await hub.stop();
    },
  };
}
