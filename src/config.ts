import os from 'node:os';
import { DEFAULT_CPU_POOL_OPTIONS, type CpuPoolOptions } from './cpu/cpu-pool';

/**
 * Every environment variable claimgraph reads, parsed and validated once. Anything else in the
 * code takes a Config; nothing else reads process.env.
 */
export interface Config {
  /** Postgres connection string; when absent an embedded Postgres is started. */
  databaseUrl: string | null;
  /** A streaming replica of that database for heavy reads (see ReadReplicaConfig); null: every read on the primary. */
  readReplica: ReadReplicaConfig | null;
  host: string;
  port: number;
  nodeEnv: string;
  logLevel: string;
  /** Where the embedded Postgres keeps its cluster. */
  dataDir: string;
  embeddedPgPort: number;
  poolSize: number;
  /** Server processes (WEB_CONCURRENCY): one primary forks this many workers sharing the port. */
  workers: number;
  /** Accept the X-Claimgraph-User development header (never when NODE_ENV=production). */
  devAuth: boolean;
  /** Lifetime of a login session. */
  sessionTtlHours: number;
  /**
   * How long a looked-up bearer token (its user, state and memberships) may answer again without
   * Postgres; 0 looks every request up. Changes made through this process (or its cluster) take
   * effect at once; other instances see them within this time.
   */
  authCacheTtlMs: number;
  /** How often live subscriptions' event hub reads new history rows while anyone is subscribed. */
  livePollIntervalMs: number;
  /** Count the SQL statements the process sends (GET /debug/sql-statements); for the benchmark and tests. */
  countSql: boolean;
  /** Execute GraphQL operations compiled by graphql-jit (GRAPHQL_JIT=false: graphql-js's interpreter). */
  graphqlJit: boolean;
  /**
   * Answer query root fields made of plain columns, relations and nested connections with one SQL
   * statement that builds the JSON (src/http/sql-selection.ts); GRAPHQL_SQL=false: resolvers only.
   * Needs graphql-jit's executor (GRAPHQL_JIT).
   */
  graphqlSql: boolean;
  /** Verify JWTs of the newsroom's identity provider (optional). */
  jwt: { jwksUrl: string; issuer: string | null; audience: string | null; emailClaim: string } | null;
  /** Worker threads for HTML-to-text, extraction and re-anchoring (src/cpu/cpu-pool.ts). */
  cpu: CpuPoolOptions;
  /** Production hardening: request limits, rate limits, exposure, operations (see hardeningConfig). */
  hardening: HardeningConfig;
  /** `Cache-Control: max-age` of public fact-check pages and feeds. */
  publicCacheMaxAgeSeconds: number;
  webhooks: WebhookConfig;
}

export interface ReadReplicaConfig {
  /** DATABASE_READ_URL: the replica, reached as the same login role (its roles and policies are the primary's). */
  url: string;
  /** Connections per process to the replica. */
  poolSize: number;
  /** How long a read that carries the client's last write position waits for the replica to replay it before it goes to the primary. */
  maxWaitMs: number;
  /** After the replica failed (down, refusing), reads go to the primary for this long before it is tried again. */
  retryMs: number;
}

export interface WebhookConfig {
  /** Run the delivery worker in this process (every instance may: leases keep them apart). */
  worker: boolean;
  /** How often an idle worker looks for due deliveries. */
  pollIntervalMs: number;
  /** Deliveries one worker sends at once. */
  concurrency: number;
  /** Connect + response time of one attempt. */
  timeoutMs: number;
  /** Bytes of a receiver's response read (the rest is not waited for). */
  maxResponseBytes: number;
  /** First retry delay; it doubles with each failed attempt, up to retryMaxDelayMs. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** A delivery is retried for this long after it was first due; then it is FAILED. */
  retryWindowMs: number;
  /** An endpoint that has failed every attempt for this long is disabled. */
  disableAfterMs: number;
  /** Hosts (names, addresses or CIDR ranges) delivered to even when they resolve to private addresses. */
  allowedHosts: string[];
}

export interface QueryLimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** GitHub's node budget: first × nested first over every connection (20 when absent). */
  maxNodes: number;
}

export interface HardeningConfig {
  maxBodyBytes: number;
  /** Per-statement timeout inside every request transaction; 0 turns it off. */
  statementTimeoutMs: number;
  queryLimits: QueryLimitsConfig;
  introspection: boolean;
  graphiql: boolean;
  allowBatchedRequests: boolean;
  /**
   * Trusted documents: the manifest file (id → document) clients may run by id, and whether every
   * other document is refused (TRUSTED_DOCUMENTS_ONLY).
   */
  trustedDocuments: { path: string | null; only: boolean };
  /** Exact origins allowed by CORS; empty: no CORS headers at all. */
  corsOrigins: string[];
  /** Express's `trust proxy` setting, so the client address is the real one behind a proxy. */
  trustProxy: boolean | number | string;
  rateLimit: {
    /** Points per caller per window; 0 turns rate limiting off. */
    points: number;
    windowSeconds: number;
    /** Requests one caller may have in flight at once; 0: no cap. */
    concurrency: number;
    keyPrefix: string;
  };
  /** Shares rate-limit counters between instances. */
  redisUrl: string | null;
  metricsEnabled: boolean;
  /** When set, /metrics wants `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function hardeningConfig(env: NodeJS.ProcessEnv, nodeEnv: string): HardeningConfig {
  const development = nodeEnv !== 'production';
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new ConfigError(`CORS_ORIGINS must list origins like https://desk.example.org, got "${origin}"`);
  }
  const trustedDocumentsPath = env.TRUSTED_DOCUMENTS?.trim() || null;
  const trustedDocumentsOnly = flag(env, 'TRUSTED_DOCUMENTS_ONLY', false);
  if (trustedDocumentsOnly && !trustedDocumentsPath) {
    throw new ConfigError('TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS, the path of the manifest of allowed documents');
  }
  const redisUrl = env.REDIS_URL || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  const rawProxy = (env.TRUST_PROXY ?? '').trim();
  const trustProxy =
    rawProxy === '' || /^(false|0|no|off)$/i.test(rawProxy)
      ? false
      : /^(true|yes|on)$/i.test(rawProxy)
        ? true
        : /^\d+$/.test(rawProxy)
          ? Number(rawProxy)
          : rawProxy;
  const queryLimits: QueryLimitsConfig = {
    maxDepth: integer(env, 'MAX_QUERY_DEPTH', 15, 2, 1000),
    maxAliases: integer(env, 'MAX_QUERY_ALIASES', 30, 0, 10_000),
    maxDirectives: integer(env, 'MAX_QUERY_DIRECTIVES', 50, 0, 10_000),
    maxTokens: integer(env, 'MAX_QUERY_TOKENS', 5000, 100, 1_000_000),
    maxNodes: integer(env, 'MAX_QUERY_NODES', 50_000, 1, 100_000_000),
  };
  const points = integer(env, 'RATE_LIMIT_POINTS', 1000, 0, 100_000_000);
  // The dearest query the node budget admits must fit in one window, or it could never run.
  const dearest = 1 + Math.floor(queryLimits.maxNodes / 100);
  if (points > 0 && points < dearest) {
    throw new ConfigError(`RATE_LIMIT_POINTS must be 0 (off) or at least ${dearest}, the cost of a query at MAX_QUERY_NODES`);
  }
  return {
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    statementTimeoutMs: integer(env, 'STATEMENT_TIMEOUT_MS', 5000, 0, 3_600_000),
    queryLimits,
    introspection: flag(env, 'INTROSPECTION', development),
    graphiql: flag(env, 'GRAPHIQL', development),
    allowBatchedRequests: flag(env, 'ALLOW_BATCHED_REQUESTS', false),
    trustedDocuments: { path: trustedDocumentsPath, only: trustedDocumentsOnly },
    corsOrigins,
    trustProxy,
    rateLimit: {
      points,
      windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      concurrency: integer(env, 'RATE_LIMIT_CONCURRENCY', 8, 0, 10_000),
      keyPrefix: env.RATE_LIMIT_KEY_PREFIX || 'claimgraph:rl',
    },
    redisUrl,
    metricsEnabled: flag(env, 'METRICS_ENABLED', true),
    metricsToken: env.METRICS_TOKEN || null,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 15_000, 100, 600_000),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV || 'development';
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const readUrl = env.DATABASE_READ_URL || null;
  if (readUrl && !/^postgres(ql)?:\/\//.test(readUrl)) {
    throw new ConfigError('DATABASE_READ_URL must be a postgres:// or postgresql:// URL');
  }
  const poolSize = integer(env, 'DB_POOL_SIZE', 10, 1, 500);
  // Off unless asked for: a forgotten development setting must not open a deployment.
  const devAuth = flag(env, 'CLAIMGRAPH_DEV_AUTH', false);
  const jwksUrl = env.JWT_JWKS_URL || null;
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) throw new ConfigError('JWT_JWKS_URL must be an http(s) URL');
  if (devAuth && nodeEnv === 'production') {
    throw new ConfigError('CLAIMGRAPH_DEV_AUTH cannot be enabled when NODE_ENV=production');
  }
  return {
    databaseUrl,
    readReplica: readUrl
      ? {
          url: readUrl,
          poolSize: integer(env, 'READ_REPLICA_POOL_SIZE', poolSize, 1, 500),
          maxWaitMs: integer(env, 'READ_REPLICA_MAX_WAIT_MS', 1000, 0, 60_000),
          retryMs: integer(env, 'READ_REPLICA_RETRY_MS', 5000, 100, 600_000),
        }
      : null,
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 4000, 0, 65535),
    nodeEnv,
    logLevel: env.LOG_LEVEL || 'info',
    dataDir: env.CLAIMGRAPH_DATA_DIR || '.data/postgres',
    embeddedPgPort: integer(env, 'CLAIMGRAPH_EMBEDDED_PG_PORT', 54329, 1, 65535),
    poolSize,
    workers: env.WEB_CONCURRENCY?.trim().toLowerCase() === 'auto' ? os.availableParallelism() : integer(env, 'WEB_CONCURRENCY', 1, 1, 256),
    devAuth,
    sessionTtlHours: integer(env, 'SESSION_TTL_HOURS', 720, 1, 24 * 365),
    authCacheTtlMs: integer(env, 'AUTH_CACHE_TTL_MS', 5000, 0, 300_000),
    livePollIntervalMs: integer(env, 'LIVE_POLL_INTERVAL_MS', 100, 10, 60_000),
    countSql: flag(env, 'CLAIMGRAPH_COUNT_SQL', false),
    graphqlJit: flag(env, 'GRAPHQL_JIT', true),
    graphqlSql: flag(env, 'GRAPHQL_SQL', true),
    jwt: jwksUrl ? { jwksUrl, issuer: env.JWT_ISSUER || null, audience: env.JWT_AUDIENCE || null, emailClaim: env.JWT_EMAIL_CLAIM || 'email' } : null,
    cpu: {
      threads: integer(env, 'CPU_POOL_THREADS', DEFAULT_CPU_POOL_OPTIONS.threads, 1, 256),
      taskTimeoutMs: integer(env, 'CPU_TASK_TIMEOUT_MS', DEFAULT_CPU_POOL_OPTIONS.taskTimeoutMs, 10, 3_600_000),
    },
    hardening: hardeningConfig(env, nodeEnv),
    publicCacheMaxAgeSeconds: integer(env, 'PUBLIC_CACHE_MAX_AGE_SECONDS', 300, 0, 31_536_000),
    webhooks: webhookConfig(env),
  };
}

const DAY_MS = 86_400_000;

function webhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const allowedHosts = (env.WEBHOOK_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  for (const host of allowedHosts) {
    if (!/^[a-z0-9.:-]+(\/\d{1,3})?$/.test(host)) throw new ConfigError(`WEBHOOK_ALLOWED_HOSTS must list host names, addresses or CIDR ranges, got "${host}"`);
  }
  const timeoutMs = integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000);
  return {
    worker: flag(env, 'WEBHOOK_WORKER', true),
    pollIntervalMs: integer(env, 'WEBHOOK_POLL_INTERVAL_MS', 1000, 10, 600_000),
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 4, 1, 100),
    timeoutMs,
    maxResponseBytes: integer(env, 'WEBHOOK_MAX_RESPONSE_BYTES', 64 * 1024, 0, 16 * 1024 * 1024),
    retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 10, DAY_MS),
    retryMaxDelayMs: integer(env, 'WEBHOOK_RETRY_MAX_DELAY_MS', 3_600_000, 10, DAY_MS),
    retryWindowMs: integer(env, 'WEBHOOK_RETRY_WINDOW_MS', DAY_MS + 3_600_000, 100, 30 * DAY_MS),
    disableAfterMs: integer(env, 'WEBHOOK_DISABLE_AFTER_MS', DAY_MS, 100, 30 * DAY_MS),
    allowedHosts,
  };
}
