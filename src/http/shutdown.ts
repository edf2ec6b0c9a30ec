import type { Logger } from 'pino';
import type { ClaimgraphServer } from '../server';
import type { Database } from '../db/database';

export interface ShutdownDeps {
  server: ClaimgraphServer;
  database: Database;
  log: Logger;
  /** SHUTDOWN_TIMEOUT_MS: how long in-flight requests may take to finish. */
  timeoutMs: number;
  exit?: (code: number) => void;
}

// After the drain: closing the pool and stopping the embedded Postgres get this long on top.
const CLOSE_MARGIN_MS = 10_000;

function within<T>(promise: Promise<T>, ms: number): Promise<'done' | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve('done');
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The shutdown sequence for SIGTERM/SIGINT, in the order that loses nothing:
 *  1. readiness fails at once (/readyz 503), so a load balancer stops routing here;
 *  2. WebSocket clients are closed (1001 Going Away; graphql-ws clients reconnect elsewhere) and
 *     the HTTP listener stops accepting; keep-alive connections close as their last response ends;
 *  3. in-flight requests finish, each committing its transaction before its response leaves, for
 *     up to `timeoutMs`; then the connections still open are cut (their transactions roll back:
 *     nothing is half-written, and nothing unacknowledged is claimed as saved);
 *  4. the pool is closed and the embedded Postgres (if any) is stopped.
 * A second signal exits at once. Exits 0 when everything finished in time (1 when `failed`).
 */
export function gracefulShutdown(deps: ShutdownDeps): (signal: string, failed?: boolean) => Promise<void> {
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  return async (signal: string, failed = false) => {
    const { server, database, log, timeoutMs } = deps;
    if (stopping) {
      log.warn({ signal }, 'second signal during shutdown: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    const started = Date.now();
    log.info({ signal, timeoutMs }, 'shutting down: draining requests');
    server.operations.health.startDraining();
    // The last resort: whatever hangs, the process ends.
    const hardStop = setTimeout(() => {
      log.error({ afterMs: Date.now() - started }, 'shutdown did not finish in time: exiting');
      exit(1);
    }, timeoutMs + CLOSE_MARGIN_MS);
    hardStop.unref();
    let code = failed ? 1 : 0;
    try {
      // server.stop(): WebSocket clients, then Apollo's drain of the HTTP server (its grace period is SHUTDOWN_TIMEOUT_MS)
      const drained = await within(server.stop(), timeoutMs + 1000);
      if (drained === 'timeout') {
        log.warn('requests still running at the deadline: closing their connections');
        server.httpServer.closeAllConnections();
        code = 1;
      }
      const closed = await within(database.close(), CLOSE_MARGIN_MS - 1000);
      if (closed === 'timeout') {
        log.error('the database pool did not close in time');
        code = 1;
      }
      log.info({ durationMs: Date.now() - started }, 'shutdown complete');
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      code = 1;
    }
    clearTimeout(hardStop);
    exit(code);
  };
}
