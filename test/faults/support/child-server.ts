import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';
import { startScript, startScriptNodeFlags } from '../../../bench/processes';

const ROOT = path.resolve(__dirname, '../../..');

export interface ChildServer {
  /** The node process itself (not a wrapper), so signals and /proc reach the server. */
  pid: number;
  baseUrl: string;
  graphqlUrl: string;
  /** The last log lines, parsed where they are JSON. */
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  child: ChildProcess;
  /** The inspector's WebSocket URL, when spawned with `inspect`. */
  inspectorUrl(): string | null;
}

const KEEP_LINES = 2000;

/**
 * The server as a child process (node [`npm start`'s flags] --import tsx src/main.ts) on a free
 * port; resolves once /healthz answers. Only the variables given (and PATH/HOME) reach it.
 * `compiled`: exactly `npm start`'s command line, on the compiled server (build it first:
 * bench/processes.ts `buildServer`).
 */
export async function spawnServer(
  env: Record<string, string>,
  options: { startTimeoutMs?: number; port?: number; inspect?: boolean; compiled?: boolean } = {},
): Promise<ChildServer> {
  const port = options.port ?? (await freePort());
  // the Node flags of `npm start` (package.json), so the server runs here as it is deployed
  const inspect = options.inspect ? ['--inspect=127.0.0.1:0'] : [];
  const args = options.compiled
    ? [...startScript().nodeFlags, ...inspect, startScript().entry]
    : [...startScriptNodeFlags(), ...inspect, '--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const errors: string[] = [];
  let pending = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
      if (logs.length > KEEP_LINES) logs.splice(0, logs.length - KEEP_LINES);
    }
  });
  let inspectorUrl: string | null = null;
  child.stderr!.on('data', (chunk: Buffer) => {
    inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(chunk.toString('utf8'))?.[1] ?? null;
    errors.push(chunk.toString('utf8'));
    if (errors.length > 200) errors.shift();
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  for (;;) {
    if (exit) throw new Error(`server exited (${JSON.stringify(exit)}) before serving:\n${errors.join('')}\n${JSON.stringify(logs.slice(-20))}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in time:\n${errors.join('')}\n${JSON.stringify(logs.slice(-20))}`);
    }
    try {
      if ((await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return { pid: child.pid!, baseUrl, graphqlUrl: `${baseUrl}/graphql`, logs, exited, child, inspectorUrl: () => inspectorUrl };
}

export async function stopServer(server: ChildServer, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
  await server.exited;
  clearTimeout(timer);
}

/** Whether something accepts connections on this loopback port. */
export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the test Postgres (a copy of the suite's template). */
export async function createDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('serverUrl');
  const template = inject('templateDatabase');
  const name = `cg_fault_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export interface GraphQLAnswer {
  status: number;
  body: any;
}

export async function graphql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process, in bytes (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Decodes an opaque global id to its raw uuid. */
export const rawId = (globalId: string): string => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1];

/** A full garbage collection in a server spawned with `inspect`, through the inspector protocol. */
export async function collectGarbage(server: ChildServer): Promise<void> {
  const url = server.inspectorUrl();
  if (!url) throw new Error('the server was not spawned with inspect: true');
  const { WebSocket } = await import('ws');
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  try {
    for (let round = 1; round <= 2; round++) {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (data: Buffer) => {
          const message = JSON.parse(data.toString('utf8')) as { id?: number; error?: unknown };
          if (message.id !== round) return;
          socket.off('message', onMessage);
          if (message.error) reject(new Error(JSON.stringify(message.error)));
          else resolve();
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ id: round, method: 'HeapProfiler.collectGarbage' }));
      });
    }
  } finally {
    socket.close();
  }
}
