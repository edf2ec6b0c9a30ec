import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../bench/processes';
import { createDatabase, sleep, spawnServer, stopServer, type ChildServer, type TestDatabase } from './faults/support/child-server';

/** What test/support/loaded-modules.cjs writes for each process when it exits. */
interface LoadedModules {
  pid: number;
  ppid: number;
  clusterWorker: boolean;
  modules: string[];
}

/** Packages only a process that serves needs. */
const SERVING = ['typeorm', 'type-graphql', 'graphql', 'class-validator', 'graphql-jit', '@apollo/server', 'express', 'ws', 'jose'];
/** Packages a serving process loads the first time a request needs them, not when it starts. */
const ON_FIRST_USE = ['linkedom', '@mozilla/readability', '@graphql-yoga/render-graphiql'];

const loaded = (process: LoadedModules, name: string) => process.modules.some((module) => module.includes(`/node_modules/${name}/`));

/**
 * `npm start` (the compiled server, with its flags) with WEB_CONCURRENCY=2: the primary only
 * supervises, so none of the server's modules may be in its memory; the workers load the server
 * but not what only some requests need.
 */
describe('WEB_CONCURRENCY=2: what each process loads', () => {
  let database: TestDatabase;
  let directory = '';
  let server: ChildServer;
  let processes: LoadedModules[] = [];

  beforeAll(async () => {
    buildServer();
    database = await createDatabase();
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-modules-'));
    server = await spawnServer(
      {
        DATABASE_URL: database.url,
        WEB_CONCURRENCY: '2',
        NODE_ENV: 'production',
        NODE_OPTIONS: `--require ${path.join(__dirname, 'support/loaded-modules.cjs')}`,
        CLAIMGRAPH_LOADED_MODULES_DIR: directory,
      },
      { compiled: true, startTimeoutMs: 120_000 },
    );
    const deadline = Date.now() + 120_000;
    while (server.logs.filter((line) => line.msg === 'claimgraph is serving').length < 2 && Date.now() < deadline) await sleep(100);
    await stopServer(server);
    processes = fs
      .readdirSync(directory)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')) as LoadedModules);
  }, 300_000);

  afterAll(async () => {
    if (server) await stopServer(server);
    await database?.drop();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
  });

  it('the primary stops cleanly and loaded none of the server, the schema or the ORM', async () => {
    expect((await server.exited).code).toBe(0);
    const primary = processes.find((process) => process.pid === server.pid);
    expect(primary).toBeDefined();
    expect(SERVING.filter((name) => loaded(primary!, name))).toEqual([]);
    expect(primary!.modules.filter((module) => /\/src\/(serve|server|schema)\.js$|\/db\/data-source\.js$|\/migrations\//.test(module))).toEqual([]);
  });

  it('the migrations ran in a short-lived child of the primary', () => {
    const migrator = processes.filter((process) => process.ppid === server.pid && !process.clusterWorker);
    expect(migrator).toHaveLength(1);
    expect(loaded(migrator[0], 'typeorm')).toBe(true);
  });

  it('each worker loaded the server, and nothing that only some requests need', () => {
    const workers = processes.filter((process) => process.ppid === server.pid && process.clusterWorker);
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      expect(SERVING.filter((name) => !loaded(worker, name))).toEqual([]);
      expect(ON_FIRST_USE.filter((name) => loaded(worker, name))).toEqual([]);
    }
  });
});
