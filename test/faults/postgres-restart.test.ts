import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded';
import { freePort, graphql, sleep, spawnServer, stopServer, type ChildServer } from './support/child-server';

const EDITOR = { 'x-claimgraph-user': 'editor@restart.example' };

interface Outcome {
  /** When the request was sent, and when its answer (or failure) came. */
  at: number;
  done: number;
  kind: 'query' | 'mutation';
  status: number | 'network';
  code: string | null;
  message: string | null;
  retryAfter: string | null;
}

/**
 * The server's own embedded Postgres — started here in a temporary directory on a free port —
 * is stopped and started again under load. The machine's shared Postgres is never touched.
 */
describe('Postgres restarted under load', () => {
  let dataDir = '';
  let postgres: EmbeddedPostgresHandle | null = null;
  let server: ChildServer | null = null;

  afterAll(async () => {
    if (server) await stopServer(server, 'SIGKILL');
    await postgres?.stop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails requests with a clear SERVICE_UNAVAILABLE while it is down, and recovers by itself', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-restart-'));
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const start = () => startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port, database: 'claimgraph' });
    postgres = await start();
    server = await spawnServer({ DATABASE_URL: postgres.url, CLAIMGRAPH_DEV_AUTH: 'true', RATE_LIMIT_POINTS: '0', LOG_LEVEL: 'warn' });
    const pid = server.pid;
    const target = server;
    const team = await graphql(target.graphqlUrl, 'mutation { createTeam(input: { slug: "restart", name: "Restart desk" }) { team { id } } }', {}, EDITOR);
    const teamId = team.body.data.createTeam.team.id as string;

    const outcomes: Outcome[] = [];
    let running = true;
    const worker = async (index: number) => {
      for (let sequence = 0; running; sequence++) {
        const kind = sequence % 2 === 0 ? 'query' : 'mutation';
        const at = Date.now();
        try {
          const response = await fetch(target.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...EDITOR },
            body: JSON.stringify(
              kind === 'query'
                ? { query: '{ viewer { id } teams { totalCount } }' }
                : {
                    query: 'mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }',
                    variables: { input: { teamId, kind: 'PERSON', name: `w${index}-${sequence}` } },
                  },
            ),
            signal: AbortSignal.timeout(20_000),
          });
          const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
          outcomes.push({
            at,
            done: Date.now(),
            kind,
            status: response.status,
            code: body.errors?.[0]?.extensions?.code ?? null,
            message: body.errors?.[0]?.message ?? null,
            retryAfter: response.headers.get('retry-after'),
          });
        } catch {
          outcomes.push({ at, done: Date.now(), kind, status: 'network', code: null, message: null, retryAfter: null });
        }
        await sleep(20);
      }
    };
    const workers = Array.from({ length: 4 }, (_, index) => worker(index));
    await sleep(2000);
    const stoppedAt = Date.now();
    await postgres.stop();
    const downAt = Date.now();
    await sleep(4000);
    const readyWhileDown = await fetch(`${target.baseUrl}/readyz`);
    const restartAt = Date.now();
    postgres = await start();
    const upAt = Date.now();

    // recovered: 20 successes in a row, with no restart of the server
    let recoveredAt = 0;
    const deadline = Date.now() + 30_000;
    while (!recoveredAt && Date.now() < deadline) {
      await sleep(200);
      const recent = outcomes.filter((outcome) => outcome.at > upAt);
      const tail = recent.slice(-20);
      if (tail.length === 20 && tail.every((outcome) => outcome.status === 200 && !outcome.code)) recoveredAt = tail[0].at;
    }
    await sleep(1000);
    running = false;
    await Promise.all(workers);

    expect(readyWhileDown.status).toBe(503);
    expect(await readyWhileDown.json()).toMatchObject({ status: 'not-ready', checks: { database: 'unreachable' } });
    expect((await fetch(`${target.baseUrl}/readyz`)).status).toBe(200);
    expect(target.child.exitCode).toBeNull();
    expect(target.pid).toBe(pid);
    expect(recoveredAt).toBeGreaterThan(0);

    const before = outcomes.filter((outcome) => outcome.done < stoppedAt);
    const down = outcomes.filter((outcome) => outcome.at > downAt + 200 && outcome.at < restartAt);
    const failures = outcomes.filter((outcome) => outcome.status !== 200 || outcome.code);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((outcome) => outcome.status !== 200 || outcome.code)).toEqual([]);
    expect(down.length).toBeGreaterThan(20);
    // while down: every request fails fast, with 503, Retry-After and a plain message
    for (const outcome of down) {
      expect(outcome).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '1' });
    }
    expect(new Set(down.map((outcome) => outcome.message))).toEqual(new Set(['The database is unavailable; try again shortly']));
    // around the transitions too: never a 500, never an INTERNAL_SERVER_ERROR, never a dropped connection
    for (const outcome of failures) {
      expect(outcome.status).toBe(503);
      expect(outcome.code).toBe('SERVICE_UNAVAILABLE');
    }
    console.info(
      `Postgres restart: down ${restartAt - stoppedAt} ms, ${down.length} requests answered 503 meanwhile; ` +
        `recovered ${recoveredAt - upAt} ms after Postgres was back (started in ${upAt - restartAt} ms)`,
    );
  });
});
