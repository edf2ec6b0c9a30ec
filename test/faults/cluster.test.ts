import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { freePort, graphql, sleep, spawnServer, stopServer, type ChildServer } from './support/child-server';
import { ProcessSampler } from '../../bench/load';

const EDITOR = { 'x-claimgraph-user': 'editor@cluster.example' };

/** POSTs a query on a connection of its own (so successive calls may reach different workers). */
async function postOnNewConnection(url: string, query: string): Promise<number> {
  return (await answerOnNewConnection(url, query, EDITOR)).status;
}

function answerOnNewConnection(url: string, query: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent: false, timeout: 5000, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.once('error', reject);
    request.once('timeout', () => request.destroy(new Error('no answer within 5 s')));
    request.end(JSON.stringify({ query }));
  });
}

/** Whether a process runs (a zombie waiting to be reaped does not). */
function isRunning(pid: number): boolean {
  try {
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** The pids of the processes whose parent is `pid` (the bench's sampler walks the same tree). */
const childrenOf = (pid: number): number[] => ProcessSampler.tree(pid).slice(1);

/** Node workers of the primary (the embedded Postgres it started is a child too, but not node). */
function workersOf(pid: number): number[] {
  return childrenOf(pid).filter((child) => {
    try {
      return fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('src/main.ts');
    } catch {
      return false;
    }
  });
}

async function until<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await sleep(100);
  }
}

/**
 * `npm start` with WEB_CONCURRENCY=2 and no DATABASE_URL: the primary starts the embedded
 * Postgres and forks two workers sharing the port.
 */
describe('WEB_CONCURRENCY: a primary and its workers', () => {
  let dataDir = '';
  let server: ChildServer | null = null;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-cluster-'));
    // the embedded Postgres runs as its own user when we are root: it must reach the directory
    fs.chmodSync(dataDir, 0o755);
    server = await spawnServer(
      {
        CLAIMGRAPH_DATA_DIR: path.join(dataDir, 'pg'),
        CLAIMGRAPH_EMBEDDED_PG_PORT: String(await freePort()),
        CLAIMGRAPH_DEV_AUTH: 'true',
        WEB_CONCURRENCY: '2',
        CLAIMGRAPH_COUNT_SQL: 'true',
      },
      { startTimeoutMs: 120_000 },
    );
  }, 180_000);

  afterAll(async () => {
    if (server) await stopServer(server).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('serves from two workers, counts SQL and metrics over both, and replaces a worker that dies', async () => {
    const running = server!;
    const workers = await until(
      () => workersOf(running.pid),
      (pids) => pids.length === 2,
      'two workers',
    );
    await until(
      () => running.logs.filter((entry) => entry.msg === 'claimgraph is serving').length,
      (count) => count === 2,
      'both workers to serve',
    );
    const created = await graphql(
      running.graphqlUrl,
      'mutation { createTeam(input: { name: "Cluster desk", slug: "cluster-desk" }) { team { id } } }',
      {},
      EDITOR,
    );
    expect((created.body as { errors?: unknown }).errors).toBeUndefined();

    // Requests on separate connections land on both workers; the statement total is theirs together.
    const totals = async () => ((await (await fetch(`${running.baseUrl}/debug/sql-statements`)).json()) as { total: number }).total;
    const before = await totals();
    const served = new Set<number>();
    let sent = 0;
    for (let attempt = 0; attempt < 20 && served.size < 2; attempt++) {
      expect(await postOnNewConnection(running.graphqlUrl, '{ viewer { id } }')).toBe(200);
      sent++;
      const line = running.logs.filter((entry) => entry.msg === 'request' && entry.path === '/graphql').at(-1);
      if (typeof line?.pid === 'number') served.add(line.pid);
    }
    expect(served.size).toBe(2);
    const after = await totals();
    expect(after).toBeGreaterThan(before);
    // /metrics on any worker: the primary sums every worker's registry (two pools of 10)
    const metrics = await (await fetch(`${running.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^claimgraph_db_pool_connections\{state="max"\} 20$/m);
    const answered = [...metrics.matchAll(/^claimgraph_graphql_requests_total\{[^}]*status="200"[^}]*\} (\d+)$/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    // createTeam and the queries above, answered by two workers: each counted once, in one sum
    expect(answered).toBe(sent + 1);

    // kill -9 of one worker: the primary starts another, and the others never stopped serving
    // (connections the dead worker held are gone with it: new ones from here on)
    process.kill(workers[0], 'SIGKILL');
    // a connection handed to the dying worker in that instant may fail; the next ones are served
    await until(
      () => postOnNewConnection(running.graphqlUrl, '{ viewer { id } }').catch(() => 0),
      (status) => status === 200,
      'service after the kill',
    );
    const replaced = await until(
      () => workersOf(running.pid),
      (pids) => pids.length === 2 && !pids.includes(workers[0]),
      'a replacement worker',
    );
    expect(replaced).toContain(workers[1]);
    await until(
      () => running.logs.filter((entry) => entry.msg === 'claimgraph is serving').length,
      (count) => count === 3,
      'the replacement to serve',
    );
    for (let request = 0; request < 4; request++) expect(await postOnNewConnection(running.graphqlUrl, '{ viewer { id } }')).toBe(200);
    expect(running.logs.some((entry) => entry.msg === 'a worker died; starting another')).toBe(true);
  }, 120_000);

  it('tells every worker at once when a membership changes, though each caches the token it looked up', async () => {
    const running = server!;
    const MEMBER = { 'x-claimgraph-user': 'member@cluster.example' };
    const created = await graphql(running.graphqlUrl, 'mutation { createApiToken(input: { name: "cluster" }) { token } }', {}, MEMBER);
    const token = (created.body as { data: { createApiToken: { token: string } } }).data.createApiToken.token;
    const bearer = { authorization: `Bearer ${token}` };
    /** Asks on new connections until both workers have answered; every answer must count `expected` teams. */
    const askBothWorkers = async (expected: number) => {
      const answeredBy = new Set<number>();
      for (let attempt = 0; attempt < 30 && answeredBy.size < 2; attempt++) {
        const answer = await answerOnNewConnection(running.graphqlUrl, '{ teams { totalCount } }', bearer);
        expect((JSON.parse(answer.body) as { data: { teams: { totalCount: number } } }).data.teams.totalCount).toBe(expected);
        const line = running.logs.filter((entry) => entry.msg === 'request' && entry.path === '/graphql').at(-1);
        answeredBy.add(line?.pid as number);
      }
      expect(answeredBy.size).toBe(2);
    };
    // both workers look the token up once and keep it (AUTH_CACHE_TTL_MS, 5 s by default)
    await askBothWorkers(0);
    const desk = await graphql(running.graphqlUrl, '{ teams { nodes { id } } }', {}, EDITOR);
    const teamId = (desk.body as { data: { teams: { nodes: { id: string }[] } } }).data.teams.nodes[0].id;
    const invited = await graphql(
      running.graphqlUrl,
      'mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { invitation { id } } }',
      {
        input: { teamId, email: 'member@cluster.example', role: 'VIEWER' },
      },
      EDITOR,
    );
    const invitationId = (invited.body as { data: { addTeamMember: { invitation: { id: string } } } }).data.addTeamMember.invitation.id;
    const added = await graphql(
      running.graphqlUrl,
      'mutation($i: RespondToInvitationInput!) { acceptTeamInvitation(input: $i) { membership { role } } }',
      {
        i: { invitationId },
      },
      MEMBER,
    );
    expect((added.body as { errors?: unknown }).errors).toBeUndefined();
    // whichever worker answers, at once: the one that made the change told the other
    await askBothWorkers(1);
  }, 120_000);

  it('drains every worker on SIGTERM and exits 0, stopping the embedded Postgres', async () => {
    const running = server!;
    const workers = workersOf(running.pid);
    const postgres = childrenOf(running.pid).filter((pid) => !workers.includes(pid));
    await stopServer(running, 'SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    server = null;
    // gone (an exited child lingers in /proc for a moment until init reaps it)
    await until(
      () => [...workers, ...postgres].filter(isRunning),
      (left) => left.length === 0,
      'the workers and Postgres to exit',
      10_000,
    );
    expect(running.logs.filter((entry) => entry.msg === 'shutdown complete')).toHaveLength(2);
    expect(running.logs.some((entry) => entry.msg === 'all workers stopped')).toBe(true);
  }, 120_000);
});
