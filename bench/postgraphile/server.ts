import cluster from 'node:cluster';
import http from 'node:http';

/**
 * PostGraphile 5 beside (a), on the bench database: the reviewer article page asked of the schema
 * PostGraphile builds from the tables (amber preset, the `public` schema), so the comparison is
 * with a planner that compiles GraphQL to SQL by design (grafast). As the issue measured it: it
 * connects as DATABASE_URL's role (the bench's superuser: no row-level security, no
 * authentication, no rate limit), in WORKERS processes (claimgraph's layout), each with a pool of
 * DB_POOL_SIZE. Run as its own process by the benchmark (DATABASE_URL, PORT, WORKERS).
 */

// grafast uses Promise.withResolvers (Node 22); Node 20 lacks it
const promiseWithResolvers = Promise as unknown as { withResolvers?: () => unknown };
if (!promiseWithResolvers.withResolvers) {
  promiseWithResolvers.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    return { promise, resolve, reject };
  };
}

const workers = Math.max(1, Number(process.env.WORKERS ?? 1));

if (cluster.isPrimary && workers > 1) {
  // the workers share PORT (node:cluster hands connections round-robin), as claimgraph's do
  for (let index = 0; index < workers; index++) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  void serve();
}

async function serve(): Promise<void> {
  const { postgraphile } = await import('postgraphile');
  const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
  const { makePgService } = await import('postgraphile/adaptors/pg');
  const { grafserv } = await import('postgraphile/grafserv/node');
  const preset = {
    extends: [PostGraphileAmberPreset],
    // relations whose foreign key has no plain index (claims.article_id leads a composite one,
    // evidence's is partial) are otherwise left out of the schema; the page needs them
    disablePlugins: ['PgIndexBehaviorsPlugin'],
    pgServices: [
      makePgService({
        connectionString: process.env.DATABASE_URL,
        schemas: ['public'],
        poolConfig: { max: Number(process.env.DB_POOL_SIZE ?? 10) },
      } as Parameters<typeof makePgService>[0]),
    ],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const instance = postgraphile(preset as never);
  const serv = instance.createServ(grafserv);
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/healthz') {
      response.end('ok');
      return;
    }
    handler(request, response);
  });
  let handler: http.RequestListener = () => undefined;
  // grafserv attaches its own request listener; the health check answers first
  const inner = http.createServer();
  await serv.addTo(inner);
  const listeners = inner.listeners('request') as http.RequestListener[];
  handler = (request, response) => {
    for (const listener of listeners) listener.call(inner, request, response);
  };
  // build the schema before answering anything (introspection takes a few seconds)
  await instance.getSchema();
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const stop = () => {
    server.close();
    void Promise.resolve(instance.release()).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
