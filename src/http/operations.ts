import type http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import cors from 'cors';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Authenticator, AuthResult } from '../modules/auth/authenticator';
import type { Context } from '../shared/context';
import { Metrics } from './metrics';
import { isClusterWorker } from '../cluster';
import { Health } from './health';
import { RateLimiter } from './rate-limit';
import { OperationPipeline } from './operation-pipeline';
import { gateAuthResult, requestGate } from './request-gate';
import { REQUEST_ID_HEADER, addErrorCodes, bindRequestRecord, recordOf, requestIdOf, requestRecordPlugin, requestTracking } from './request-log';
import { classifyDatabaseError, serviceUnavailableError } from '../shared/database-errors';
import { findInvalidText } from '../shared/text';
import { TrustedDocuments, loadManifest } from './trusted-documents';
import { answerClientErrors } from './client-error';
import { LSN_HEADER, MIN_LSN_HEADER } from './read-consistency';

export interface OperationsDeps {
  config: Config;
  log: Logger;
  dataSource: DataSource;
  schema: GraphQLSchema;
  authenticator: Authenticator;
  httpServer: http.Server;
}

/**
 * Everything that keeps claimgraph standing on the open internet, in one place so server.ts stays
 * wiring: request ids and the per-request log line, CORS, query limits, the rate limit, metrics,
 * readiness, and the Apollo settings that keep schema details and batching closed by default.
 */
export interface Operations {
  metrics: Metrics;
  health: Health;
  rateLimiter: RateLimiter;
  /**
   * Resolve the document (trusted documents and automatic persisted queries), parse, check,
   * rate-limit: the steps every GraphQL operation takes, over HTTP and WebSocket.
   */
  pipeline: OperationPipeline;
  /** Mounts the first middleware (request id, log line, CORS) and /readyz, /metrics. Call before any route. */
  install(app: express.Express): void;
  /** Goes on /graphql after body parsing: limits, authentication, rate limit. */
  graphqlGate: express.RequestHandler;
  apolloOptions: Pick<
    ApolloServerOptions<Context>,
    | 'introspection'
    | 'allowBatchedHttpRequests'
    | 'csrfPrevention'
    | 'hideSchemaDetailsFromClientErrors'
    | 'parseOptions'
    | 'persistedQueries'
    | 'stopOnTerminationSignals'
  >;
  plugins: ApolloServerPlugin<Context>[];
  requestId(response: express.Response): string;
  /** The caller, as the gate authenticated it (or now, for requests the gate did not see). */
  authenticate(request: express.Request, response: express.Response): Promise<AuthResult>;
  /** Links the GraphQL context to the request's log record. */
  bindContext(context: Context, response: express.Response): Context;
  close(): Promise<void>;
}

/**
 * Query-string parameters and headers that no handler could store or compare (a NUL, a lone
 * surrogate) are refused here, once, for every route, as 400 BAD_USER_INPUT. (Node's HTTP parser
 * refuses NUL, CR and LF in headers before any route runs, answered by client-error.ts; a
 * percent-encoded `%00` in the URL reaches this.)
 * GraphQL bodies are checked by the request pipeline, which knows the variables.
 */
function rejectInvalidText(request: express.Request, response: express.Response, next: express.NextFunction): void {
  const inQuery = request.url.includes('?') ? findInvalidText(request.query) : null;
  const header = inQuery
    ? null
    : Object.entries(request.headers)
        .map(([name, value]) => (findInvalidText(value) ? name : null))
        .find(Boolean);
  if (!inQuery && !header) {
    next();
    return;
  }
  const where = inQuery ? `Query parameter ${inQuery.path || '(a name)'}` : `Header ${header}`;
  const field = inQuery ? inQuery.path : header;
  addErrorCodes(recordOf(response), ['BAD_USER_INPUT']);
  response.status(400).json({ errors: [{ message: `${where} ${inQuery?.reason ?? 'is not valid text'}`, extensions: { code: 'BAD_USER_INPUT', field } }] });
}

/** Compares in constant time (digests first, so lengths leak nothing either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function createOperations(deps: OperationsDeps): Operations {
  const { config, log, dataSource, schema, authenticator, httpServer } = deps;
  const settings = config.hardening;
  const metrics = new Metrics(dataSource);
  metrics.trackUpgrades(httpServer);
  answerClientErrors(httpServer, log);
  if (isClusterWorker()) metrics.shareWithCluster();
  const health = new Health(dataSource);
  const rateLimiter = new RateLimiter(settings.rateLimit, settings.redisUrl, log.child({ component: 'rate-limit' }));

  const documents = new TrustedDocuments({
    manifest: settings.trustedDocuments.path ? loadManifest(settings.trustedDocuments.path) : null,
    only: settings.trustedDocuments.only,
  });
  const pipeline = new OperationPipeline({ schema, documents, limits: settings.queryLimits, rateLimiter, windowSeconds: settings.rateLimit.windowSeconds });
  const gate = requestGate({
    pipeline,
    authenticator,
    windowSeconds: settings.rateLimit.windowSeconds,
    allowBatchedRequests: settings.allowBatchedRequests,
  });

  const router = express.Router();
  router.get('/readyz', async (_request, response) => {
    const readiness = await health.readiness();
    response.status(readiness.ready ? 200 : 503).json({ status: readiness.status, checks: readiness.checks });
  });
  if (settings.metricsEnabled) {
    router.get('/metrics', async (request, response) => {
      if (settings.metricsToken && !sameSecret(request.get('authorization') ?? '', `Bearer ${settings.metricsToken}`)) {
        response.status(401).setHeader('www-authenticate', 'Bearer').json({ error: 'metrics need the METRICS_TOKEN bearer token' });
        return;
      }
      try {
        const { contentType, body } = await metrics.render();
        response.type(contentType).send(body);
      } catch (error) {
        log.warn({ err: error }, 'metrics unavailable');
        response.status(503).json({ error: 'metrics are unavailable for the moment' });
      }
    });
  }

  return {
    metrics,
    health,
    rateLimiter,
    pipeline,
    install(app) {
      app.set('trust proxy', settings.trustProxy);
      app.use(requestTracking(log, metrics));
      app.use(rejectInvalidText);
      // A preflight from an origin that is not allowed gets no CORS headers (so the browser refuses
      // the call), and a body saying how to allow it: the developer reads it in the network tab.
      app.use((request, response, next) => {
        const origin = request.get('origin');
        if (request.method !== 'OPTIONS' || !origin || !request.get('access-control-request-method') || settings.corsOrigins.includes(origin)) return next();
        const allowed = [...settings.corsOrigins, origin].join(',');
        response.status(403).json({
          error: settings.corsOrigins.length
            ? `The origin ${origin} is not allowed by CORS_ORIGINS (${settings.corsOrigins.join(', ')}). To allow it, add it: CORS_ORIGINS=${allowed}`
            : `CORS is off: CORS_ORIGINS is not set. To allow browser apps on ${origin}, start the server with CORS_ORIGINS=${origin}`,
          code: 'CORS_ORIGIN_NOT_ALLOWED',
        });
      });
      // No origins configured: no CORS headers at all, so browsers on other origins get nothing.
      if (settings.corsOrigins.length) {
        app.use(
          cors({
            origin: settings.corsOrigins,
            methods: ['GET', 'POST', 'OPTIONS'],
            allowedHeaders: [
              'authorization',
              'content-type',
              'accept',
              REQUEST_ID_HEADER,
              'apollo-require-preflight',
              'x-apollo-operation-name',
              MIN_LSN_HEADER,
            ],
            exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', LSN_HEADER],
            maxAge: 600,
          }),
        );
      }
      app.use(router);
      app.use('/graphql', gate.beforeBody);
    },
    graphqlGate: gate.afterBody,
    apolloOptions: {
      introspection: settings.introspection,
      allowBatchedHttpRequests: settings.allowBatchedRequests,
      // Apollo's CSRF prevention: GETs and simple POSTs must carry a header a cross-site form cannot
      csrfPrevention: true,
      // no "Did you mean" suggestions in validation errors (format-error strips any that remain)
      hideSchemaDetailsFromClientErrors: true,
      parseOptions: { maxTokens: settings.queryLimits.maxTokens },
      // Apollo's own automatic persisted queries would run a hash-only request's document without
      // the gate's limits and pricing: the gate resolves hashes and ids itself (trusted-documents.ts)
      // and hands Apollo the full document
      persistedQueries: false,
      // Apollo would stop itself on SIGTERM and then re-raise the signal, killing the process
      // mid-drain; src/http/shutdown.ts runs the whole sequence instead
      stopOnTerminationSignals: false,
    },
    plugins: [pipeline.inProcessPlugin() as ApolloServerPlugin<Context>, requestRecordPlugin()],
    requestId: requestIdOf,
    async authenticate(request, response) {
      const known = gateAuthResult(response);
      if (known) return known;
      try {
        return await authenticator.authenticateRequest(request.headers);
      } catch (error) {
        // Apollo answers a GraphQLError thrown here as it is: 503 and Retry-After, no driver text
        if (classifyDatabaseError(error) === 'SERVICE_UNAVAILABLE') {
          addErrorCodes(recordOf(response), ['SERVICE_UNAVAILABLE']);
          throw serviceUnavailableError();
        }
        throw error;
      }
    },
    bindContext(context, response) {
      bindRequestRecord(context, recordOf(response));
      return context;
    },
    close: () => rateLimiter.close(),
  };
}
