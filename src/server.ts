import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config';
import { createContext, type Context } from './shared/context';
import { formatError } from './shared/format-error';
import { requestPlugin } from './shared/request-plugin';
import { Authenticator } from './modules/auth/authenticator';

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
  /** A context for in-process operations (tests, CLI), acting as the given actor. */
  contextFor(actor: Context['session']['actor']): Context;
  listen(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

const GRAPHIQL_HTML = (endpoint: string): string =>
  renderGraphiQL({
    title: 'claimgraph',
    endpoint,
    defaultQuery: '# Welcome to claimgraph.\n{\n  viewer { name email memberships { role team { slug name } } }\n}\n',
  } as Parameters<typeof renderGraphiQL>[0]);

/** HTTP and (later) WebSocket wiring only: no business rules live here. */
export async function createServer(deps: ServerDeps): Promise<ClaimgraphServer> {
  const { config, dataSource, schema, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const authenticator = new Authenticator(dataSource, { devAuth: config.devAuth });
  const contextDeps = { dataSource, log };

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      requestPlugin(),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  // The IDE is a single self-contained page (scripts and styles inlined from the npm package),
  // so it works offline. Browsers ask for HTML; API clients get the GraphQL endpoint as usual.
  app.get('/graphql', (request, response, next) => {
    if (request.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html') return next();
    response.type('html').send(GRAPHIQL_HTML(request.originalUrl.split('?')[0]));
  });

  app.use(
    '/graphql',
    express.json({ limit: '16mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = typeof req.headers['x-request-id'] === 'string' && /^[\w-]{1,64}$/.test(req.headers['x-request-id'])
          ? req.headers['x-request-id']
          : randomUUID();
        const actor = await authenticator.authenticate(req.headers);
        return createContext(contextDeps, actor, requestId);
      },
    }),
  );

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
    log.error({ err: error }, 'unhandled HTTP error');
    response.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });

  return {
    app,
    httpServer,
    apollo,
    authenticator,
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
      await apollo.stop();
    },
  };
}
