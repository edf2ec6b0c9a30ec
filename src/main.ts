import { loadConfig, ConfigError } from './config';
import { createLogger } from './logger';
import { EmbeddedPostgresError } from './db/embedded';
import { isClusterWorker, onPrimaryMessages, runPrimary } from './cluster';
import { enableStatementCounting } from './db/statement-counter';

/** In a cluster worker: a shutdown the primary asked for before the server was ready to drain. */
let shutdownRequested = false;
let onShutdownRequest: (() => void) | null = null;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
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
  if (config.workers > 1 && !isClusterWorker()) {
    // WEB_CONCURRENCY > 1: this process only supervises; the workers serve (src/cluster.ts)
    await runPrimary(config, root);
    return;
  }
  // Loaded only where a process serves: a cluster primary never holds the server, the schema or
  // the ORM in memory. (The `.js` names the compiled file; tsx and tsc map it to the .ts source.)
  const { serve } = await import('./serve.js');
  // several processes write to one stream: each worker's lines carry its pid
  const log = isClusterWorker() ? root.child({ pid: process.pid }) : root;
  await serve(config, log, (stop) => {
    onShutdownRequest = stop;
    if (shutdownRequested) stop();
  });
}

main().catch((error: unknown) => {
  if (error instanceof EmbeddedPostgresError) console.error(`claimgraph: ${error.message}`);
  else console.error('claimgraph failed to start:', error);
  process.exit(1);
});
