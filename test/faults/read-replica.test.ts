import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, freePort, graphql, sleep, spawnServer, stopServer, type ChildServer, type TestDatabase } from './support/child-server';

const run = promisify(execFile);

/**
 * A real streaming replica of the test Postgres: `pg_basebackup -R` from it (with a replication
 * slot), started on a free port by the same major version's binaries, as the `postgres` OS user
 * when the suite runs as root (Postgres refuses to run as root). The server reads report figures,
 * downloads, the claim queue and search there; the test pauses and resumes WAL replay on the
 * replica to make it lag on purpose, then kills it.
 */

const serverUrl = inject('serverUrl');
const TEXT = [
  'The city council approved a budget of $4.2 million on Tuesday, Mayor Ana Ruiz said.',
  'We have never spent more on schools, Ruiz told reporters.',
  'One council member, who requested anonymity, said the figures were inflated.',
  'Unemployment fell to 3.1% last year, the lowest since 1999.',
].join('\n');
const QUOTES = [
  'approved a budget of $4.2 million',
  'never spent more on schools',
  'the figures were inflated',
  'Unemployment fell to 3.1%',
  'the lowest since 1999',
  'Mayor Ana Ruiz said',
];
const EDITOR = { 'x-claimgraph-user': 'editor@replica.example' };
const OUTSIDER = { 'x-claimgraph-user': 'outsider@replica.example' };
/** The server's bound on waiting for replay (READ_REPLICA_MAX_WAIT_MS). */
const MAX_WAIT_MS = 5000;
const HBA_MARK = '# claimgraph faults: read-replica test (removed when it ends)';

const QUEUE = 'query($teamId: ID!) { claims(filter: { teamId: $teamId }, first: 50) { totalCount } }';
const REPORT = 'query($teamId: ID!) { verdictReport(filter: { teamId: $teamId }) { totalCount byStatus { status count } } }';
const SEARCH = 'query($search: String) { sources(search: $search) { totalCount } }';

async function serverMajor(): Promise<number> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(rows[0].v) / 10000);
  } finally {
    await admin.end();
  }
}

/** Postgres refuses to run as root: then the replica runs as the `postgres` OS user. */
const asPostgres = process.getuid?.() === 0;
const runAsPostgres = (command: string, args: string[]) => (asPostgres ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args));

function withPort(url: string, port: number, database?: string): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  if (database) parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function query<R extends Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Whether the test Postgres accepts a physical replication connection from 127.0.0.1 (pg_hba.conf). */
async function replicationAllowed(): Promise<boolean> {
  const client = new Client({ connectionString: withPort(serverUrl, Number(new URL(serverUrl).port || 5432)), replication: 'true' } as never);
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (/pg_hba\.conf/.test(String((error as Error).message))) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresIds(): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('there is no postgres OS user to run the replica as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

describe('a streaming replica of the test Postgres', () => {
  const slot = `claimgraph_faults_${process.pid}`;
  let dir = '';
  let dataDir = '';
  let replicaPort = 0;
  let hbaFile: string | null = null;
  let database: TestDatabase | null = null;
  let server: ChildServer | null = null;

  const replicaAdmin = () => withPort(serverUrl, replicaPort, 'postgres');

  const postmasterPid = (): number | null => {
    try {
      return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
    } catch {
      return null;
    }
  };
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  afterAll(async () => {
    if (server) await stopServer(server, 'SIGKILL');
    const pid = dataDir ? postmasterPid() : null;
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    for (let waited = 0; pid && alive(pid) && waited < 10_000; waited += 100) await sleep(100);
    // the slot is released once the primary sees its walsender's peer gone
    for (let attempt = 0; attempt < 100; attempt++) {
      const rows = await query<{ active: boolean }>(serverUrl, 'SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (!rows.length) break;
      if (!rows[0].active) {
        await query(serverUrl, 'SELECT pg_drop_replication_slot($1)', [slot]);
        break;
      }
      await sleep(100);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (hbaFile) {
      const kept = fs
        .readFileSync(hbaFile, 'utf8')
        .split('\n')
        .filter((line) => !line.includes(HBA_MARK));
      fs.writeFileSync(hbaFile, kept.join('\n'));
      await query(serverUrl, 'SELECT pg_reload_conf()');
    }
    await database?.drop();
  });

  it('serves heavy reads from the replica, reads its own writes, and falls back to the primary when the replica dies', async ({ skip }) => {
    // the same major version's binaries: pg_basebackup and a standby must match the primary
    const binDir = `/usr/lib/postgresql/${await serverMajor()}/bin`;
    if (!fs.existsSync(path.join(binDir, 'pg_basebackup'))) skip(`no pg_basebackup for the test Postgres's version (${binDir})`);
    // --- the replica: pg_hba, base backup, configuration, start ---
    if (!(await replicationAllowed())) {
      const [{ hba_file }] = await query<{ hba_file: string }>(serverUrl, 'SHOW hba_file');
      try {
        fs.accessSync(hba_file, fs.constants.W_OK);
      } catch {
        throw new Error(
          `The test Postgres refuses replication connections from 127.0.0.1; add "host replication all 127.0.0.1/32 trust" to ${hba_file} and reload`,
        );
      }
      hbaFile = hba_file;
      // first line: pg_hba.conf is first-match
      fs.writeFileSync(hba_file, `host replication all 127.0.0.1/32 trust ${HBA_MARK}\n${fs.readFileSync(hba_file, 'utf8')}`);
      await query(serverUrl, 'SELECT pg_reload_conf()');
      for (let attempt = 0; !(await replicationAllowed()); attempt++) {
        if (attempt > 50) throw new Error('pg_hba.conf reloaded, but replication is still refused');
        await sleep(100);
      }
    }
    // slots of earlier runs that died before their cleanup would keep WAL forever
    await query(serverUrl, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'claimgraph_faults_%' AND NOT active");
    database = await createDatabase();

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-replica-'));
    fs.chmodSync(dir, 0o755);
    const owner = asPostgres ? postgresIds() : null;
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    dataDir = path.join(dir, 'data');
    replicaPort = await freePort();
    await runAsPostgres(path.join(binDir, 'pg_basebackup'), [
      '-d',
      serverUrl,
      '-D',
      dataDir,
      '-R',
      '-X',
      'stream',
      '-C',
      '-S',
      slot,
      '-c',
      'fast',
      '--no-sync',
    ]);
    // A standby needs these at least as high as its primary's; the rest keeps it small.
    const settings = await query<{ name: string; setting: string }>(
      serverUrl,
      "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')",
    );
    const files: [string, string][] = [
      [
        'postgresql.conf',
        [
          `port = ${replicaPort}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          'hot_standby = on',
          'hot_standby_feedback = on',
          'shared_buffers = 16MB',
          'fsync = off',
          ...settings.map(({ name, setting }) => `${name} = ${setting}`),
        ].join('\n'),
      ],
      ['pg_hba.conf', 'local all all trust\nhost all all 127.0.0.1/32 trust\n'],
      ['pg_ident.conf', ''],
    ];
    for (const [name, content] of files) {
      // Debian keeps these in /etc, so the base backup has none (elsewhere ours replace the copy's)
      const file = path.join(dataDir, name);
      fs.writeFileSync(file, `${content}\n`);
      if (owner) fs.chownSync(file, owner.uid, owner.gid);
    }
    await runAsPostgres(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', path.join(dir, 'replica.log'), '-w', '-t', '120', 'start']);
    for (let attempt = 0; ; attempt++) {
      const rows = await query<{ status: string }>(replicaAdmin(), 'SELECT status FROM pg_stat_wal_receiver').catch(() => []);
      if (rows[0]?.status === 'streaming') break;
      if (attempt > 300) throw new Error(`the replica does not stream:\n${fs.readFileSync(path.join(dir, 'replica.log'), 'utf8').slice(-2000)}`);
      await sleep(100);
    }

    // --- the server, reading from the replica ---
    server = await spawnServer({
      DATABASE_URL: database.url,
      DATABASE_READ_URL: withPort(database.url, replicaPort),
      READ_REPLICA_MAX_WAIT_MS: String(MAX_WAIT_MS),
      READ_REPLICA_RETRY_MS: '1000',
      CLAIMGRAPH_DEV_AUTH: 'true',
      RATE_LIMIT_POINTS: '0',
      WEBHOOK_WORKER: 'false',
      LOG_LEVEL: 'warn',
    });
    const url = server.graphqlUrl;
    const ok = async (query: string, variables: Record<string, unknown>, headers: Record<string, string> = EDITOR) => {
      const answer = await graphql(url, query, variables, headers, 30_000);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
      return answer.body;
    };
    const team = await ok('mutation { createTeam(input: { slug: "replica-desk", name: "Replica desk" }) { team { id } } }', {});
    const teamId = team.data.createTeam.team.id as string;
    await ok('mutation { createTeam(input: { slug: "replica-other", name: "Other desk" }) { team { id } } }', {}, OUTSIDER);
    const article = await ok('mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }', {
      input: { teamId, title: 'Council budget', url: 'https://news.example.com/budget', publishedAt: '2026-03-01T10:00:00Z', language: 'en', text: TEXT },
    });
    const articleId = article.data.createArticle.article.id as string;
    let quotes = 0;
    /** A claim written; returns the WAL position its response carried. */
    const addClaim = async (): Promise<string> => {
      const answer = await graphql(
        url,
        'mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id } } }',
        {
          input: { articleId, anchor: { quote: { exact: QUOTES[quotes++] } }, kind: 'ASSERTION' },
        },
        EDITOR,
      );
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.extensions.lsn).toMatch(/^[0-9A-F]{16}$/);
      return answer.body.extensions.lsn as string;
    };
    const queue = async (minLsn?: string): Promise<{ count: number; ms: number }> => {
      const started = Date.now();
      const body = await ok(QUEUE, { teamId }, minLsn ? { ...EDITOR, 'x-claimgraph-min-lsn': minLsn } : EDITOR);
      return { count: body.data.claims.totalCount as number, ms: Date.now() - started };
    };
    const download = async (minLsn?: string): Promise<number> => {
      const response = await fetch(`${server!.baseUrl}/exports/verdicts.csv?team=replica-desk${minLsn ? `&minLsn=${minLsn}` : ''}`, {
        headers: EDITOR,
        signal: AbortSignal.timeout(30_000),
      });
      expect(response.status).toBe(200);
      return (parseCsv(await response.text(), { bom: true, columns: true }) as unknown[]).length;
    };
    const replicaSql = (text: string) => query(replicaAdmin(), text);
    const servedBy = async (): Promise<Record<string, number>> => {
      const text = await (await fetch(`${server!.baseUrl}/metrics`)).text();
      const counts: Record<string, number> = {};
      for (const match of text.matchAll(/^claimgraph_replica_reads_total\{served_by="(\w+)",reason="(\w*)"\} (\d+)/gm))
        counts[match[2] || match[1]] = Number(match[3]);
      return counts;
    };

    const first = await addClaim();
    // the replica has the first claim: a read that names its position is served at once
    expect((await queue(first)).count).toBe(1);

    // Replay paused: the replica stays where it is. A read without a position is served there
    // (it does not see the new claim: that is how we know where it was read), one with the
    // position waits for replay, which resumes a second later.
    await replicaSql('SELECT pg_wal_replay_pause()');
    const second = await addClaim();
    expect((await queue()).count).toBe(1);
    expect(await download()).toBe(1);
    const resumed = sleep(1000).then(() => replicaSql('SELECT pg_wal_replay_resume()'));
    const waited = await queue(second);
    await resumed;
    expect(waited.count).toBe(2);
    expect(waited.ms).toBeGreaterThanOrEqual(900);
    expect(waited.ms).toBeLessThan(MAX_WAIT_MS);
    expect(await download(second)).toBe(2);

    // Replay paused for longer than the bound: the read goes to the primary after it.
    await replicaSql('SELECT pg_wal_replay_pause()');
    const third = await addClaim();
    const bounded = await queue(third);
    expect(bounded.count).toBe(3);
    expect(bounded.ms).toBeGreaterThanOrEqual(MAX_WAIT_MS - 100);
    expect((await queue()).count).toBe(2);
    await replicaSql('SELECT pg_wal_replay_resume()');
    // the queue and downloads above: all but the bounded read on the replica
    expect(await servedBy()).toEqual({ replica: 6, unavailable: 0, behind: 1 });

    // Row-level security is the primary's: another team's member sees none of this desk's claims there.
    const theirs = await graphql(url, QUEUE, { teamId }, OUTSIDER);
    expect(theirs.status).toBe(200);
    expect(theirs.body.data?.claims.totalCount ?? 0).toBe(0);
    const report = await graphql(url, REPORT, { teamId }, OUTSIDER);
    expect(report.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const beforeKill = await servedBy();

    // --- the replica killed: every read goes to the primary, no 5xx ---
    const pid = postmasterPid();
    expect(pid).not.toBeNull();
    process.kill(pid!, 'SIGKILL');
    for (let waited = 0; alive(pid!) && waited < 10_000; waited += 50) await sleep(50);
    const until = Date.now() + 3000;
    let rounds = 0;
    while (Date.now() < until || rounds < 3) {
      const written = quotes < QUOTES.length ? await addClaim() : null;
      const expected = quotes;
      expect((await queue(written ?? undefined)).count).toBe(expected);
      expect((await queue()).count).toBe(expected);
      const figures = await ok(REPORT, { teamId });
      expect(figures.data.verdictReport.totalCount).toBe(expected);
      expect((await ok(SEARCH, { search: 'nobody' })).data.sources.totalCount).toBe(0);
      expect(await download(written ?? undefined)).toBe(expected);
      rounds++;
      await sleep(200);
    }
    expect(server.logs.some((line) => line.msg === 'read replica unavailable: reads go to the primary')).toBe(true);
    const afterKill = await servedBy();
    // five reads a round (two queues, the report, search, a download), each on the primary
    expect(afterKill).toEqual({ ...beforeKill, unavailable: rounds * 5 });
    // a base backup of the whole test cluster: minutes on a loaded machine
  }, 600_000);
});
