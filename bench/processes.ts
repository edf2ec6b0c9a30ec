import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

/**
 * `npm start`'s command line (package.json's start script) in a source tree, so the benchmark and
 * the tests run the server as it is deployed: `node --max-semi-space-size=16 dist/src/main.js`
 * gives the flags ["--max-semi-space-size=16"] and the entry "dist/src/main.js". (A tree whose
 * start script runs the TypeScript through tsx, `--import tsx src/main.ts`, gives "src/main.ts".)
 */
export function startScript(cwd = ROOT): { nodeFlags: string[]; entry: string } {
  const scripts = (JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  // `exec node …` (the shell hands its process over to node) reads as `node …`
  const words = scripts.start.split(/\s+/).filter((word, index) => !(index === 0 && word === 'exec'));
  if (words[0] !== 'node') throw new Error(`the start script does not run node: ${scripts.start}`);
  const nodeFlags: string[] = [];
  let index = 1;
  for (; index < words.length && words[index].startsWith('--'); index++) {
    if (words[index] === '--import') index++;
    else nodeFlags.push(words[index]);
  }
  return { nodeFlags, entry: words[index] };
}

/** The Node flags of `npm start`: ["--max-semi-space-size=16"] for the example above. */
export function startScriptNodeFlags(): string[] {
  return startScript().nodeFlags;
}

/**
 * Compiles the server as `npm start` does first (its `prestart`), when the tree has a build
 * script; returns the entry `npm start` runs.
 */
export function buildServer(cwd = ROOT): string {
  const scripts = (JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  if (scripts.build) execFileSync('npm', ['run', '-s', 'build'], { cwd, stdio: 'inherit' });
  return startScript(cwd).entry;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  name: string;
  pid: number;
  baseUrl: string;
  /** Last lines the process printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a Node process running an entry (a TypeScript one through tsx, a compiled one as it is)
 * and waits until it answers GET /healthz on 127.0.0.1. The benchmark measures memory and CPU of this
 * process alone, so the server under test never shares a process with the load generator.
 */
export async function startChild(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
  nodeFlags?: string[];
  /** How long a stopping process may take before it is killed (writing a --cpu-prof profile takes a while). */
  stopTimeoutMs?: number;
  /** The source tree to run (default: this one), e.g. a copy at another revision for bench/compare.ts. */
  cwd?: string;
}): Promise<ChildServer> {
  const port = await freePort();
  const runner = options.entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), ...runner, options.entry], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error(`${options.name} exited during start:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not start within 180 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name: options.name,
    pid: child.pid!,
    baseUrl,
    output: () => output,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
