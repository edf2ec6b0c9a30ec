import 'reflect-metadata';
import { loadConfig, ConfigError } from './config';
import { createLogger } from './logger';
import { openDatabase } from './db/database';
import { buildClaimgraphSchema } from './schema';
import { createServer } from './server';
import { EmbeddedPostgresError } from './db/embedded';
import { gracefulShutdown } from './shared/shutdown';
import { isClusterWorker, onPrimaryMessages, runPrimary } from './cluster';
import { enableStatementCounting } from './db/statement-counter';

/** In a cluster worker: a shutdown the primary asked for before the server was ready to drain. */
let shutdownRequested = false;
let onShutdownRequest: (() => void) | null = null;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`claimgraph: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (isClusterWorker()) {
    // listening from the start: the primary may ask a worker to stop while it is still starting
    onPrimaryMessages({
      shutdown: () => {
        if (onShutdownRequest) onShutdownRequest();
        else shutdownRequested = true;
      },
      sqlCount: () => (config.countSql ? enableStatementCounting() : null),
    });
  }
  const root = createLogger(config.logLevel);
  // several processes write to one stream: each worker's lines carry its pid
  const log = isClusterWorker() ? root.child({ pid: process.pid }) : root;
  const database = await openDatabase(config, log);
  if (config.workers > 1 && !isClusterWorker()) {
    // WEB_CONCURRENCY > 1: this process only supervises; the workers serve (src/cluster.ts)
    await runPrimary(config, log, database, database.embedded?.url ?? config.databaseUrl!);
    return;
  }
  const schema = await buildClaimgraphSchema();
  const server = await createServer({ config, dataSource: database.dataSource, schema, log });

  const shutdown = gracefulShutdown({ server, database, log, timeoutMs: config.hardening.shutdownTimeoutMs });
  let asked = false;
  const stop = (signal: string, failed?: boolean) => {
    asked = true;
    return shutdown(signal, failed);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // a worker that got the terminal's Ctrl-C itself is already draining: not a second signal
  onShutdownRequest = () => {
    if (!asked) void stop('primary');
  };
  if (shutdownRequested) onShutdownRequest();
  // A throw nothing caught leaves the process in an unknown state: log it, drain, exit non-zero
  // (the supervisor restarts us; committed work is safe). A forgotten promise rejection is logged
  // and the server keeps serving.
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception');
    void stop('uncaughtException', true);
  });
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection');
  });

  try {
    const port = await server.listen(config.port, config.host);
    log.info({ url: `http://${config.host}:${port}/graphql` }, 'claimgraph is serving');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      log.fatal(`Port ${config.port} on ${config.host} is already in use; set PORT to a free port`);
    } else {
      log.fatal({ err: error }, 'could not listen');
    }
    await database.close();
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  if (error instanceof EmbeddedPostgresError) console.error(`claimgraph: ${error.message}`);
  else console.error('claimgraph failed to start:', error);
  process.exit(1);
});
