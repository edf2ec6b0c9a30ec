import fs from 'node:fs';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded';
import { createDataSource, runMigrations } from '../src/db/data-source';

/**
 * The benchmark's own database. Only this database is ever dropped: never the user's data.
 * BENCH_DATABASE names another (claimgraph_bench_*), so two data sets, or two people's runs on one
 * server, do not replace each other.
 */
export const BENCH_DATABASE = benchDatabaseName(process.env.BENCH_DATABASE);

function benchDatabaseName(name: string | undefined): string {
  if (!name) return 'claimgraph_bench';
  if (!/^claimgraph_bench_[a-z0-9_]{1,40}$/.test(name)) throw new Error(`BENCH_DATABASE must be claimgraph_bench_ followed by [a-z0-9_], got ${name}`);
  return name;
}

export interface BenchPostgres {
  /** Connection string of the bench database. */
  url: string;
  /** Where it runs, for the report. */
  description: string;
  stop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * The Postgres named by DATABASE_URL (its server, not its database), or the embedded Postgres of
 * the local configuration when DATABASE_URL is unset.
 */
export async function benchPostgres(): Promise<BenchPostgres> {
  const config = loadConfig();
  let serverUrl: string;
  let embedded: EmbeddedPostgresHandle | null = null;
  if (config.databaseUrl) {
    serverUrl = config.databaseUrl;
    if (new URL(serverUrl).pathname.replace('/', '') === BENCH_DATABASE) serverUrl = withDatabase(serverUrl, 'postgres');
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, database: BENCH_DATABASE });
    serverUrl = embedded.url;
  }
  const parsed = new URL(serverUrl);
  return {
    url: withDatabase(serverUrl, BENCH_DATABASE),
    description: `${embedded ? 'embedded Postgres' : 'DATABASE_URL server'} ${parsed.hostname}:${parsed.port || 5432}, database ${BENCH_DATABASE}`,
    stop: async () => {
      await embedded?.stop();
    },
  };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'claimgraph-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the bench database, then applies the committed migrations to it. */
export async function recreateBenchDatabase(url: string): Promise<void> {
  const database = new URL(url).pathname.slice(1);
  if (database !== BENCH_DATABASE) throw new Error(`refusing to recreate ${database}: only ${BENCH_DATABASE} is the benchmark's`);
  await withClient(withDatabase(url, 'postgres'), async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'claimgraph-bench' });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export async function benchDatabaseExists(url: string): Promise<boolean> {
  return withClient(withDatabase(url, 'postgres'), async (admin) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE]);
    return (rowCount ?? 0) > 0;
  });
}

/**
 * The pid of the postmaster serving `url` when it runs on this machine (the parent of a backend
 * of ours), else null: backends are counted by database name, and the embedded Postgres and a
 * DATABASE_URL one can both have a database of the bench's name.
 */
export async function postmasterPid(url: string): Promise<number | null> {
  // the server's `postgres` database: the bench's own may not exist yet (a fresh server)
  const backend = await withClient(withDatabase(url, 'postgres'), async (client) => Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid));
  try {
    const stat = fs.readFileSync(`/proc/${backend}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || null;
  } catch {
    return null;
  }
}
