import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, portOpen, sleep } from './support/child-server';

const ROOT = path.resolve(__dirname, '../..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Every process below `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length)
    for (const child of children.get(queue.shift()!) ?? []) {
      queue.push(child);
      found.push(child);
    }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm start` as a supervisor runs it: the npm process is the one it knows and signals. */
function npmStart(cwd: string, env: Record<string, string>) {
  const child = spawn('npm', ['start'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('npm start under a supervisor', () => {
  let directory = '';
  const started: number[] = [];

  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-npm-start-'));
    fs.chmodSync(directory, 0o755);
  });
  afterAll(() => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('drains and exits on SIGTERM sent to npm, leaving no process and the embedded Postgres stopped', async () => {
    const port = await freePort();
    const pgPort = await freePort();
    const run = npmStart(ROOT, { PORT: String(port), CLAIMGRAPH_DATA_DIR: path.join(directory, 'pg'), CLAIMGRAPH_EMBEDDED_PG_PORT: String(pgPort) });
    const deadline = Date.now() + 120_000;
    for (;;) {
      expect(run.child.exitCode, run.output().stderr).toBeNull();
      if (Date.now() > deadline) throw new Error(`npm start did not serve in time: ${JSON.stringify(run.output())}`);
      if (
        await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (response) => response.ok,
          () => false,
        )
      )
        break;
      await sleep(200);
    }
    const tree = descendants(run.child.pid!);
    started.push(...tree);
    expect(tree.length).toBeGreaterThan(1); // node and the embedded Postgres's processes
    expect(await portOpen(pgPort)).toBe(true);

    run.child.kill('SIGTERM');
    const exit = await Promise.race([run.exited, sleep(60_000).then(() => null)]);
    expect(exit, 'npm start did not exit within 60 s of SIGTERM').not.toBeNull();
    expect(run.output().stdout).toContain('shutdown complete');
    await sleep(500);
    expect(tree.filter(alive)).toEqual([]);
    expect(await portOpen(pgPort)).toBe(false);
    expect(await portOpen(port)).toBe(false);
  });

  // Postgres refuses to run as root, so as root it runs as the system user "postgres", which
  // cannot enter a private (mode 700) folder holding the clone.
  it.skipIf(!isRoot)('says in one line what to do when started by root from a folder the postgres user cannot enter', async () => {
    const home = path.join(directory, 'private-home');
    const clone = path.join(home, 'claimgraph');
    fs.mkdirSync(clone, { recursive: true });
    fs.chmodSync(home, 0o700);
    for (const entry of ['package.json', 'tsconfig.json', 'src', 'migrations', 'schema'])
      fs.cpSync(path.join(ROOT, entry), path.join(clone, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
    const port = await freePort();
    const run = npmStart(clone, { PORT: String(port), CLAIMGRAPH_EMBEDDED_PG_PORT: String(await freePort()) });
    const exit = await Promise.race([run.exited, sleep(90_000).then(() => null)]);
    expect(exit).toEqual({ code: 1, signal: null });
    const lines = run
      .output()
      .stderr.trim()
      .split('\n')
      .filter((line) => line.startsWith('claimgraph'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot enter ${home}`);
    expect(lines[0]).toMatch(/run claimgraph as a normal user/);
    expect(run.output().stderr).not.toMatch(/EACCES|\n\s+at /);
    expect(fs.existsSync(path.join(clone, '.data', 'postgres', 'PG_VERSION'))).toBe(false);
  });
});
