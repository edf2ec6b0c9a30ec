import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config';
import { createContext, type Context } from './shared/context';
import { formatError, httpAnswer } from './http/format-error';
import { requestPlugin } from './http/request-plugin';
import { Authenticator } from './modules/auth/authenticator';
import { attachLiveServer, type LiveServer } from './modules/live/websocket';
import { enableStatementCounting } from './db/statement-counter';
import { jitGateway } from './http/jit-executor';
import { stringifyResult } from './http/raw-json';
import { reportRouter } from './modules/report/report.routes';
import { publishingRouter } from './modules/publishing/publishing.routes';
import { WebhookWorker } from './modules/webhook/delivery-worker';
import { broadcastCredentialChanges, clusterStatementTotals, isClusterWorker, onCredentialChanges } from './cluster';
import { createOperations, type Operations } from './http/operations';
import { CpuPool } from './cpu/cpu-pool';
import { graphiqlPage } from './http/graphiql';
import { ReadReplica } from './db/read-replica';
import { minLsnFromLocals, minLsnMiddleware } from './http/read-consistency';

export interface ServerDeps {
  config: Config;
  dataSource: DataSource;
  schema: GraphQLSchema;
  log: Logger;
}

export interface ClaimgraphServer {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<Context>;
  authenticator: Authenticator;
  /** GraphQL subscriptions (graphql-ws) on the same /graphql path, fed by new history_events rows (EventHub). */
  live: LiveServer;
  /** Request ids and logs, limits, rate limits, metrics, readiness (src/http/operations.ts). */
  operations: Operations;
  /** Worker threads for HTML to text, extraction and re-anchoring. */
  cpu: CpuPool;
  /** Posts webhook deliveries from the outbox; running unless WEBHOOK_WORKER=false. */
  webhooks: WebhookWorker;
  /** A context for in-process operations (tests, CLI), acting as the given actor. */
  contextFor(actor: Context['session']['actor']): Context;
  listen(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** HTTP and WebSocket wiring only: no business rules live here. */
export async function createServer(deps: ServerDeps): Promise<ClaimgraphServer> {
  const { config, dataSource, schema, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Express would hash every body it sends for a weak ETag: a GraphQL answer is one user's and
  // changes with every write, so no cache could use it. Routes whose answers a cache can keep
  // (fact-check pages, feeds, GraphiQL) set a strong ETag of their own.
  app.set('etag', false);
  const statementCounter = config.countSql ? enableStatementCounting() : null;
  if (statementCounter) {
    app.get('/debug/sql-statements', async (_request, response) => {
      // one worker of several (WEB_CONCURRENCY): the totals of all of them, summed by the primary
      if (isClusterWorker()) {
        try {
          response.json(await clusterStatementTotals());
        } catch {
          response.status(503).json({ error: 'the other workers did not answer' });
        }
        return;
      }
      response.json({ total: statementCounter.total, roundTrips: statementCounter.roundTrips });
    });
  }
  const httpServer = http.createServer(app);
  const authenticator = new Authenticator(dataSource, {
    devAuth: config.devAuth,
    jwt: config.jwt,
    cacheTtlMs: config.authCacheTtlMs,
    broadcast: isClusterWorker() ? broadcastCredentialChanges : undefined,
  });
  if (isClusterWorker()) onCredentialChanges((userIds) => authenticator.forget(userIds));
  const operations = createOperations({ config, log, dataSource, schema, authenticator, httpServer });
  operations.install(app);
  const cpu = new CpuPool(config.cpu);
  // report figures, downloads, the claim queue and search read there when one is configured (README: Scaling out)
  const replica = config.readReplica ? new ReadReplica({ ...config.readReplica, log: log.child({ component: 'read-replica' }) }) : null;
  if (replica) operations.metrics.trackReadReplica(replica.counts);
  const contextDeps = { dataSource, log, config, statementTimeoutMs: config.hardening.statementTimeoutMs, credentials: authenticator, cpu, replica };
  const apollo = new ApolloServer<Context>({
    // graphql-jit executes through Apollo's gateway interface (src/http/jit-executor.ts)
    ...(config.graphqlJit ? { gateway: jitGateway(schema, config.graphqlSql ? { dataSource } : null) } : { schema }),
    formatError,
    // root fields Postgres answered as JSON text are written as they are (src/http/raw-json.ts)
    stringifyResult,
    includeStacktraceInErrorResponses: false,
    ...operations.apolloOptions,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.hardening.shutdownTimeoutMs }),
      ApolloServerPluginLandingPageDisabled(),
      // No @cacheControl hints exist; the default-on plugin still wrapped every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      requestPlugin(),
      ...operations.plugins,
    ],
  });
  await apollo.start();
  const live = attachLiveServer({
    httpServer,
    schema,
    authenticator,
    contextDeps,
    log,
    production: config.nodeEnv === 'production',
    connectionString: (dataSource.options as { url?: string }).url ?? '',
    pollIntervalMs: config.livePollIntervalMs,
    pipeline: operations.pipeline,
    executeOperation: async (request, context) => {
      const response = await apollo.executeOperation(
        { query: request.query, operationName: request.operationName ?? undefined, variables: request.variables ?? undefined },
        { contextValue: context },
      );
      if (response.body.kind !== 'single') throw new Error('incremental delivery is not served over WebSocket');
      return response.body.singleResult;
    },
  });

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/graphql', graphiqlPage(config.hardening.graphiql));

  app.use(
    '/graphql',
    express.json({ limit: config.hardening.maxBodyBytes }),
    minLsnMiddleware,
    operations.graphqlGate,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const { actor, error } = await operations.authenticate(req, res);
        const context = createContext(contextDeps, actor, operations.requestId(res), error);
        context.db.readAfter(minLsnFromLocals(res));
        return operations.bindContext(context, res);
      },
    }),
  );

  app.use(reportRouter({ dataSource, authenticator, log, config, rateLimiter: operations.rateLimiter, replica }));
  app.use(publishingRouter({ dataSource, log, config, rateLimiter: operations.rateLimiter }));

  app.use((error: Error & { status?: number; type?: string }, _request: express.Request, response: express.Response, next: express.NextFunction) => {
    if (response.headersSent) return next(error);
    if (error.type === 'entity.too.large') {
      response.status(413).json({ errors: [{ message: 'Request body is too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      return;
    }
    if (error.type === 'entity.parse.failed' || error.status === 400) {
      response.status(400).json({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    // body-parser's other refusals (unsupported charset or encoding, aborted upload) are the client's
    if (typeof error.status === 'number' && error.status > 400 && error.status < 500) {
      response.status(error.status).json({ errors: [{ message: 'The request body could not be read', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    const requestId = operations.requestId(response);
    const answer = httpAnswer(error, requestId);
    if (answer.status >= 500) log.error({ err: error, requestId }, 'unhandled HTTP error');
    for (const [name, value] of answer.headers) response.setHeader(name, value);
    response.status(answer.status).json(answer.body);
  });

  const webhooks = new WebhookWorker(dataSource, config.webhooks, log.child({ component: 'webhooks' }));
  if (config.webhooks.worker) webhooks.start();

  return {
    app,
    httpServer,
    apollo,
    authenticator,
    live,
    operations,
    cpu,
    webhooks,
    contextFor: (actor) => createContext(contextDeps, actor, randomUUID()),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    stop: async () => {
      // WebSocket clients first: an open socket would keep the HTTP server from closing
      await live.dispose();
      // an attempt in flight finishes and is recorded (or its lease runs out and it goes again)
      await webhooks.stop();
      await apollo.stop();
      await operations.close();
      await cpu.destroy();
      await replica?.close();
    },
  };
}
