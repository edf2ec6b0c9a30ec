import type http from 'node:http';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { clusterMetricsFromPrimary } from '../cluster';
import type { DataSource } from 'typeorm';

/**
 * Open GraphQL subscriptions, for the subscription server to `inc()` when one starts and `dec()`
 * when it ends. One gauge per process, registered in every server's registry.
 */
export const subscriptionsOpen = new Gauge({
  name: 'claimgraph_subscriptions_open',
  help: 'GraphQL subscriptions currently open',
  registers: [],
});

/** Operation names are chosen by clients; past this many distinct ones they are counted as "(other)". */
const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

function poolOf(dataSource: DataSource): PgPoolLike | null {
  const pool = (dataSource.driver as unknown as { master?: PgPoolLike }).master;
  return pool && typeof pool.totalCount === 'number' ? pool : null;
}

export interface RequestObservation {
  operationName: string | null | undefined;
  operationType: string | null | undefined;
  status: number;
  durationSeconds: number;
  errorCodes: Iterable<string>;
}

/** Prometheus metrics of one server, in a registry of its own (several servers may share a process in tests). */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'type' | 'status'>;
  private readonly duration: Histogram<'operation' | 'type'>;
  private readonly errors: Counter<'code'>;
  readonly inFlight: Gauge;
  private readonly websockets: Gauge;
  private readonly operationNames = new Set<string>();
  private clusterTotals = false;

  constructor(dataSource: DataSource, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'claimgraph_graphql_requests_total',
      help: 'GraphQL HTTP requests by operation name, operation type and HTTP status',
      labelNames: ['operation', 'type', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'claimgraph_graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL HTTP request to the end of its response',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.errors = new Counter({
      name: 'claimgraph_graphql_errors_total',
      help: 'Errors returned to GraphQL clients, by extensions.code',
      labelNames: ['code'],
      registers,
    });
    this.inFlight = new Gauge({ name: 'claimgraph_http_requests_in_flight', help: 'HTTP requests being served', registers });
    this.websockets = new Gauge({ name: 'claimgraph_websocket_connections_open', help: 'Upgraded (WebSocket) connections open', registers });
    new Gauge({
      name: 'claimgraph_db_pool_connections',
      help: 'Postgres pool connections: total, idle, in use, and callers waiting for one',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = poolOf(dataSource);
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
        this.set({ state: 'max' }, pool.options?.max ?? 0);
      },
    });
    this.registry.registerMetric(subscriptionsOpen);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  private operationLabel(name: string | null | undefined): string {
    if (name === undefined) return '(none)';
    if (name === null) return '(anonymous)';
    if (!OPERATION_NAME.test(name)) return '(other)';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_LABELS) return '(other)';
    this.operationNames.add(name);
    return name;
  }

  observeRequest(observation: RequestObservation): void {
    const operation = this.operationLabel(observation.operationName);
    const type = observation.operationType ?? 'none';
    this.requests.inc({ operation, type, status: String(observation.status) });
    this.duration.observe({ operation, type }, observation.durationSeconds);
    for (const code of observation.errorCodes) this.errors.inc({ code });
  }

  /**
   * Where the reads the replica may serve were served (src/db/read-replica.ts): there, or on the
   * primary because the replica was unavailable or had not replayed the client's last write in time.
   */
  trackReadReplica(counts: Readonly<Record<'replica' | 'unavailable' | 'behind', number>>): void {
    new Counter({
      name: 'claimgraph_replica_reads_total',
      help: 'Reads routed to the read replica, by where they were served: replica, or primary because it was unavailable or behind',
      labelNames: ['served_by', 'reason'],
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ served_by: 'replica', reason: '' }, counts.replica);
        this.inc({ served_by: 'primary', reason: 'unavailable' }, counts.unavailable);
        this.inc({ served_by: 'primary', reason: 'behind' }, counts.behind);
      },
    });
  }

  /** Counts WebSocket (and any other upgraded) connections on the HTTP server. */
  trackUpgrades(httpServer: http.Server): void {
    httpServer.on('upgrade', (_request, socket) => {
      this.websockets.inc();
      socket.once('close', () => this.websockets.dec());
    });
  }

  /**
   * In a cluster worker (WEB_CONCURRENCY > 1), the primary gathers every worker's registry and
   * answers with their sum (prom-client's AggregatorRegistry), so a scrape that reaches any worker
   * sees the whole server.
   */
  shareWithCluster(): void {
    this.clusterTotals = true;
    // constructing one in a worker makes prom-client answer the primary's requests
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([this.registry]);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    if (this.clusterTotals) return { contentType: this.registry.contentType, body: await clusterMetricsFromPrimary() };
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
