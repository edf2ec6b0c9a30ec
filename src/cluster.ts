import cluster, { type Worker } from 'node:cluster';
import { fork as forkProcess } from 'node:child_process';
import path from 'node:path';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from './config';
import { startPostgres } from './db/embedded';

/**
 * Several server processes on one host (WEB_CONCURRENCY > 1), as Node's cluster module runs
 * them: the primary starts the embedded Postgres when there is no DATABASE_URL, has the migrations
 * applied, then forks the workers, which share the listening port and each run the whole server
 * with a pool of their own. The primary only supervises: it never loads the server, the schema or
 * the ORM (src/main.ts imports them only where a process serves), so it stays small for as long
 * as the cluster runs. Nothing in the server keeps state a
 * request needs from another process: sessions and tokens are in Postgres (a worker that changes
 * someone's credentials tells the others to forget what they cached), live events are read from
 * history_events, and rate-limit counters are shared through REDIS_URL (without it, each worker
 * counts its own callers).
 *
 * The primary restarts a worker that dies, and on SIGTERM/SIGINT asks every worker to shut down
 * gracefully (each drains as a single server does), waits for them, then stops the embedded
 * Postgres.
 */

/** Messages between the primary and its workers. */
export type ClusterMessage =
  | { type: 'claimgraph:shutdown' }
  | { type: 'claimgraph:metrics'; id: number }
  | { type: 'claimgraph:metrics-text'; id: number; text: string | null }
  | { type: 'claimgraph:sql-total'; id: number }
  | { type: 'claimgraph:sql-count'; id: number; total: number; roundTrips: number }
  | { type: 'claimgraph:sql-sum'; id: number; total: number; roundTrips: number }
  | { type: 'claimgraph:credentials-changed'; userIds: string[] };

function isClusterMessage(message: unknown): message is ClusterMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith('claimgraph:')
  );
}

/** How long past SHUTDOWN_TIMEOUT_MS a worker may take to close its pool and exit. */
const WORKER_STOP_MARGIN_MS = 10_000;

/** Longest pause between restarts of a worker that keeps dying. */
const MAX_RESTART_DELAY_MS = 10_000;

/**
 * Applies the pending migrations in a short-lived child process (`npm run migrate`'s entry, run by
 * this Node with its flags), so that the ORM, the entities and the migrations never load into the
 * primary, which lives as long as the cluster.
 */
function migrateInChildProcess(databaseUrl: string): Promise<void> {
  const entry = path.join(__dirname, 'cli', `migrate${path.extname(__filename)}`);
  const child = forkProcess(entry, [], { env: { ...process.env, DATABASE_URL: databaseUrl }, execArgv: process.execArgv });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`applying the migrations failed (${signal ?? `exit code ${code}`}); the lines above say why`));
    });
  });
}

export async function runPrimary(config: Config, log: Logger): Promise<void> {
  const postgres = await startPostgres(config, log);
  try {
    await migrateInChildProcess(postgres.url);
  } catch (error) {
    await postgres.embedded?.stop();
    throw error;
  }
  let stopping = false;
  let exitCode = 0;
  let restartDelayMs = 500;
  const pendingCounts = new Map<number, { waiting: number; total: number; roundTrips: number; from: Worker }>();

  const aggregator = new AggregatorRegistry();
  const fork = (): Worker => {
    const worker = cluster.fork({ DATABASE_URL: postgres.url, CLAIMGRAPH_CLUSTER_WORKER: '1' });
    worker.on('message', (message: unknown) => {
      if (!isClusterMessage(message)) return;
      // GET /metrics on one worker: every worker's metrics, summed
      if (message.type === 'claimgraph:metrics') {
        aggregator.clusterMetrics().then(
          (text) => worker.send({ type: 'claimgraph:metrics-text', id: message.id, text } satisfies ClusterMessage),
          (error: unknown) => {
            log.warn({ err: error }, "could not gather the workers' metrics");
            worker.send({ type: 'claimgraph:metrics-text', id: message.id, text: null } satisfies ClusterMessage);
          },
        );
        return;
      }
      // one worker changed someone's credentials: every worker forgets what it cached of them
      if (message.type === 'claimgraph:credentials-changed') {
        for (const each of Object.values(cluster.workers ?? {})) {
          if (each && each !== worker && each.isConnected()) each.send(message);
        }
        return;
      }
      // GET /debug/sql-statements on one worker: the total over all of them
      if (message.type === 'claimgraph:sql-total') {
        const workers = Object.values(cluster.workers ?? {}).filter((each): each is Worker => !!each && each.isConnected());
        pendingCounts.set(message.id, { waiting: workers.length, total: 0, roundTrips: 0, from: worker });
        for (const each of workers) each.send({ type: 'claimgraph:sql-total', id: message.id } satisfies ClusterMessage);
      } else if (message.type === 'claimgraph:sql-count') {
        const pending = pendingCounts.get(message.id);
        if (!pending) return;
        pending.total += message.total;
        pending.roundTrips += message.roundTrips;
        if (--pending.waiting === 0) {
          pendingCounts.delete(message.id);
          pending.from.send({ type: 'claimgraph:sql-sum', id: message.id, total: pending.total, roundTrips: pending.roundTrips } satisfies ClusterMessage);
        }
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) exitCode = 1;
      return;
    }
    log.error({ pid: worker.process.pid, code, signal, restartInMs: restartDelayMs }, 'a worker died; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelayMs);
    restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS);
  });
  cluster.on('listening', () => {
    restartDelayMs = 500;
  });

  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      log.warn({ signal }, 'second signal during shutdown: stopping the workers now');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down the workers');
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker);
    // each worker drains within SHUTDOWN_TIMEOUT_MS and then closes its pool; past that and a
    // margin, whatever still runs is killed (its open transactions roll back)
    const deadline = setTimeout(() => {
      for (const worker of workers) {
        if (worker.isDead()) continue;
        log.error({ pid: worker.process.pid }, 'a worker did not stop in time: killing it');
        exitCode = 1;
        worker.process.kill('SIGKILL');
      }
    }, config.hardening.shutdownTimeoutMs + WORKER_STOP_MARGIN_MS);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            // a message, not a signal: a worker that got the terminal's SIGINT too is already draining
            if (worker.isConnected()) worker.send({ type: 'claimgraph:shutdown' } satisfies ClusterMessage);
            else worker.process.kill('SIGTERM');
          }),
      ),
    );
    clearTimeout(deadline);
    await postgres.embedded?.stop();
    log.info({ exitCode }, 'all workers stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  for (let index = 0; index < config.workers; index++) fork();
  log.info({ workers: config.workers, url: `http://${config.host}:${config.port}/graphql` }, 'claimgraph cluster started');
}

/** In a worker: the primary's requests to shut down, and its questions about statement counts. */
export function onPrimaryMessages(handlers: { shutdown(): void; sqlCount(): { total: number; roundTrips: number } | null }): void {
  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === 'claimgraph:shutdown') handlers.shutdown();
    else if (message.type === 'claimgraph:sql-total') {
      const counts = handlers.sqlCount() ?? { total: 0, roundTrips: 0 };
      process.send?.({ type: 'claimgraph:sql-count', id: message.id, ...counts } satisfies ClusterMessage);
    }
  });
}

/** In a worker: tells the other workers (through the primary) that these users' credentials changed. */
export function broadcastCredentialChanges(userIds: string[]): void {
  if (cluster.isWorker && userIds.length) process.send?.({ type: 'claimgraph:credentials-changed', userIds } satisfies ClusterMessage);
}

/** In a worker: calls `forget` with the users whose credentials another worker changed. */
export function onCredentialChanges(forget: (userIds: string[]) => void): void {
  process.on('message', (message: unknown) => {
    if (isClusterMessage(message) && message.type === 'claimgraph:credentials-changed') forget(message.userIds);
  });
}

/** The primary's answers to a worker's questions, by question id. */
type Answer = Extract<ClusterMessage, { type: 'claimgraph:sql-sum' | 'claimgraph:metrics-text' }>;
const pendingQuestions = new Map<number, (answer: Answer) => void>();
let nextQuestion = 1;
let listening = false;

/** In a worker: sends the primary a question and waits (at most `timeoutMs`) for its answer. */
function askPrimary(question: (id: number) => ClusterMessage, timeoutMs: number): Promise<Answer> {
  if (!listening) {
    listening = true;
    process.on('message', (message: unknown) => {
      if (!isClusterMessage(message) || (message.type !== 'claimgraph:sql-sum' && message.type !== 'claimgraph:metrics-text')) return;
      pendingQuestions.get(message.id)?.(message);
      pendingQuestions.delete(message.id);
    });
  }
  // unique across workers: the primary routes every answer back to the worker that asked
  const id = nextQuestion++ * 1000 + (cluster.worker?.id ?? 0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pendingQuestions.delete(id);
      reject(new Error('the primary did not answer'));
    }, timeoutMs);
    pendingQuestions.set(id, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    process.send?.(question(id));
  });
}

/** In a worker: the statement totals of every worker, summed by the primary. */
export async function clusterStatementTotals(): Promise<{ total: number; roundTrips: number }> {
  const answer = await askPrimary((id) => ({ type: 'claimgraph:sql-total', id }), 5000);
  return answer.type === 'claimgraph:sql-sum' ? { total: answer.total, roundTrips: answer.roundTrips } : { total: 0, roundTrips: 0 };
}

/** In a worker: the Prometheus text of all workers together, gathered by the primary. */
export async function clusterMetricsFromPrimary(): Promise<string> {
  const answer = await askPrimary((id) => ({ type: 'claimgraph:metrics', id }), 10_000);
  if (answer.type !== 'claimgraph:metrics-text' || answer.text === null) throw new Error("the primary could not gather the workers' metrics");
  return answer.text;
}

export const isClusterWorker = (): boolean => cluster.isWorker;
