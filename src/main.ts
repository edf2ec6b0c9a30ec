import 'reflect-metadata';
import { loadConfig, ConfigError } from './config';
import { createLogger } from './logger';
import { openDatabase } from './db/database';
import { buildClaimgraphSchema } from './schema';
import { createServer } from './server';
import { EmbeddedPostgresError } from './db/embedded';

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
  const log = createLogger(config.logLevel);
  const database = await openDatabase(config, log);
  const schema = await buildClaimgraphSchema();
  const server = await createServer({ config, dataSource: database.dataSource, schema, log });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await server.stop();
      await database.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

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
