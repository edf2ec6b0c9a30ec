/**
 * Every environment variable claimgraph reads, parsed and validated once. Anything else in the
 * code takes a Config; nothing else reads process.env.
 */
export interface Config {
  /** Postgres connection string; when absent an embedded Postgres is started. */
  databaseUrl: string | null;
  host: string;
  port: number;
  nodeEnv: string;
  logLevel: string;
  /** Where the embedded Postgres keeps its cluster. */
  dataDir: string;
  embeddedPgPort: number;
  poolSize: number;
  /** Accept the X-Claimgraph-User development header (never when NODE_ENV=production). */
  devAuth: boolean;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV || 'development';
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const devAuth = flag(env, 'CLAIMGRAPH_DEV_AUTH', nodeEnv !== 'production');
  if (devAuth && nodeEnv === 'production') {
    throw new ConfigError('CLAIMGRAPH_DEV_AUTH cannot be enabled when NODE_ENV=production');
  }
  return {
    databaseUrl,
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 4000, 0, 65535),
    nodeEnv,
    logLevel: env.LOG_LEVEL || 'info',
    dataDir: env.CLAIMGRAPH_DATA_DIR || '.data/postgres',
    embeddedPgPort: integer(env, 'CLAIMGRAPH_EMBEDDED_PG_PORT', 54329, 1, 65535),
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 500),
    devAuth,
  };
}
