import 'reflect-metadata';
import type { Logger } from 'pino';
import type { Config } from './config';
import { openDatabase } from './db/database';
import { buildClaimgraphSchema } from './schema';
import { createServer } from './server';
import { gracefulShutdown } from './http/shutdown';

/**
 * One serving process (alone, or a cluster worker): opens the database, builds the schema, serves
 * HTTP until a signal (or, in a worker, the primary) asks it to drain. `onPrimaryShutdown` hands
 * over the drain for the primary's request.
 */
export async function serve(config: Config, log: Logger, onPrimaryShutdown: (stop: () => void) => void): Promise<void> {
  const database = await openDatabase(config, log);
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
  onPrimaryShutdown(() => {
    if (!asked) void stop('primary');
  });
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
