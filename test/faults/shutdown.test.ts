import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { freePort, graphql, portOpen, rawId, sleep, spawnServer, stopServer, type ChildServer } from './support/child-server';

const EDITOR = { 'x-claimgraph-user': 'editor@shutdown.example' };
const CREATE_SOURCE = 'mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id name } } }';
// the embedded cluster's credentials (src/db/embedded.ts)
const embeddedUrl = (port: number) => `postgres://postgres:claimgraph-embedded@127.0.0.1:${port}/claimgraph`;

/**
 * SIGTERM on `npm start` with no DATABASE_URL (the embedded Postgres), with a WebSocket client
 * subscribed and a mutation in flight. The mutation's table is locked from outside, so the
 * mutation is still running when the signal arrives.
 */
describe('graceful shutdown on SIGTERM', () => {
  let dataDir = '';
  let pgPort = 0;
  let server: ChildServer | null = null;
  const env = (extra: Record<string, string> = {}) => ({
    CLAIMGRAPH_DATA_DIR: path.join(dataDir, 'pg'),
    CLAIMGRAPH_EMBEDDED_PG_PORT: String(pgPort),
    CLAIMGRAPH_DEV_AUTH: 'true',
    ...extra,
  });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-shutdown-'));
    fs.chmodSync(dataDir, 0o755);
    pgPort = await freePort();
  });

  afterAll(async () => {
    if (server) await stopServer(server, 'SIGKILL');
    if (await portOpen(pgPort)) {
      const cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: pgPort, database: 'claimgraph' }).catch(() => null);
      await cluster?.stop();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function lockSources(): Promise<Client> {
    const blocker = new Client({ connectionString: embeddedUrl(pgPort) });
    // the cluster stops under it when the server shuts down
    blocker.on('error', () => undefined);
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE sources IN ACCESS EXCLUSIVE MODE');
    return blocker;
  }

  it('finishes the request in flight, closes WebSocket clients, refuses new connections, then stops the pool and Postgres', async () => {
    server = await spawnServer(env(), { startTimeoutMs: 180_000 });
    const target = server;
    const team = await graphql(target.graphqlUrl, 'mutation { createTeam(input: { slug: "shutdown", name: "Shutdown desk" }) { team { id } } }', {}, EDITOR);
    const teamId = team.body.data.createTeam.team.id as string;

    const closes: number[] = [];
    const events: unknown[] = [];
    const client = createClient({
      url: target.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: EDITOR,
      retryAttempts: 0,
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    const subscribed = new Promise<void>((resolve) => {
      client.subscribe(
        { query: 'subscription($teamId: ID!) { teamActivity(teamId: $teamId) { action } }', variables: { teamId } },
        {
          next: (value) => events.push(value),
          error: () => resolve(),
          complete: () => resolve(),
        },
      );
    });
    await sleep(500);

    const blocker = await lockSources();
    const inFlight = graphql(target.graphqlUrl, CREATE_SOURCE, { input: { teamId, kind: 'PERSON', name: 'In flight at SIGTERM' } }, EDITOR, 30_000);
    await sleep(500);
    const signalledAt = Date.now();
    target.child.kill('SIGTERM');
    await sleep(1000);
    // stopped accepting: a new connection is refused while the old request is still running
    await expect(fetch(`${target.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    expect(closes).toContain(1001);
    expect(target.child.exitCode).toBeNull();
    await blocker.query('ROLLBACK');
    await blocker.end();

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const sourceId = rawId(answer.body.data.createSource.source.id);
    const exit = await target.exited;
    if (exit.code !== 0)
      console.log(
        JSON.stringify(
          target.logs.filter((line) => (line.level as number) >= 40 || /shut/.test(String(line.msg))),
          null,
          1,
        ),
      );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    await subscribed;
    void client.dispose();
    expect(target.logs.some((line) => line.msg === 'shutdown complete')).toBe(true);
    // the embedded Postgres was stopped with the server
    expect(await portOpen(pgPort)).toBe(false);

    // the acknowledged mutation is there, with its history event
    const cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: pgPort, database: 'claimgraph' });
    const sql = new Client({ connectionString: cluster.url });
    await sql.connect();
    try {
      const { rows } = await sql.query(
        `SELECT s.name, (SELECT count(*)::int FROM history_events h WHERE h.entity_id = s.id) AS events FROM sources s WHERE s.id = $1`,
        [sourceId],
      );
      expect(rows).toEqual([{ name: 'In flight at SIGTERM', events: 1 }]);
    } finally {
      await sql.end();
      await cluster.stop();
    }
    server = null;
  });

  it('cuts a request still running at SHUTDOWN_TIMEOUT_MS, whose transaction then rolls back, and still exits cleanly', async () => {
    server = await spawnServer(env({ SHUTDOWN_TIMEOUT_MS: '1000', STATEMENT_TIMEOUT_MS: '3000' }), { startTimeoutMs: 180_000 });
    const target = server;
    const teams = await graphql(target.graphqlUrl, '{ teams(first: 1) { nodes { id } } }', {}, EDITOR);
    const teamId = teams.body.data.teams.nodes[0].id as string;
    const blocker = await lockSources();
    const stuck = graphql(target.graphqlUrl, CREATE_SOURCE, { input: { teamId, kind: 'PERSON', name: 'Stuck at SIGTERM' } }, EDITOR, 30_000).then(
      (answer) => ({ answered: answer }),
      (error: unknown) => ({ cut: error }),
    );
    await sleep(500);
    const signalledAt = Date.now();
    target.child.kill('SIGTERM');
    const outcome = await stuck;
    const exit = await target.exited;
    const tookMs = Date.now() - signalledAt;
    await blocker.query('ROLLBACK').catch(() => undefined);
    await blocker.end().catch(() => undefined);
    // never acknowledged
    expect('cut' in outcome || ('answered' in outcome && outcome.answered.body.errors)).toBeTruthy();
    expect(exit.signal).toBeNull();
    expect(tookMs).toBeLessThan(1000 + 10_000);
    expect(await portOpen(pgPort)).toBe(false);

    const cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: pgPort, database: 'claimgraph' });
    const sql = new Client({ connectionString: cluster.url });
    await sql.connect();
    try {
      const { rows } = await sql.query(`SELECT count(*)::int AS count FROM sources WHERE name = 'Stuck at SIGTERM'`);
      expect(rows[0].count).toBe(0);
    } finally {
      await sql.end();
      await cluster.stop();
    }
    server = null;
    console.info(`shutdown past the deadline: exited ${exit.code} after ${tookMs} ms`);
  });
});
