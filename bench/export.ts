/**
 * Export benchmark: seeds verdict reports of each size into a dedicated database, starts the real
 * server (src/main.ts) as a child process on it, downloads the CSV export over HTTP, and reports
 * rows/s, time to first byte and the server process's peak RSS during the download.
 *
 *   npm run bench:export                         # 10k and 1M rows
 *   npm run bench:export -- --rows 10000,200000  # other sizes
 *   npm run bench:export -- --reuse              # keep and reuse seeded databases between runs
 *
 * Postgres: BENCH_DATABASE_URL or DATABASE_URL (a superuser; databases cg_bench_export_<rows> are
 * created there and dropped afterwards unless --keep or --reuse), else postgres://postgres@127.0.0.1:5432/postgres.
 * It fails (exit 1) when the peak RSS of the largest size exceeds 1.5x that of the smallest: the
 * export must stream, whatever the size.
 */
import 'reflect-metadata';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Client } from 'pg';
import { createDataSource, runMigrations } from '../src/db/data-source';
import { newToken } from '../src/modules/auth/secrets';
import { seedVerdictRows } from './export-seed';

interface Options {
  sizes: number[];
  serverUrl: string;
  keep: boolean;
  reuse: boolean;
  format: string;
}

interface Result {
  rows: number;
  bytes: number;
  seconds: number;
  firstByteMs: number;
  rowsPerSecond: number;
  peakRssMb: number;
  baselineRssMb: number;
}

const ROOT = path.resolve(__dirname, '..');
const MAX_RSS_RATIO = 1.5;

function parseOptions(argv: string[]): Options {
  const options: Options = {
    sizes: [10_000, 1_000_000],
    serverUrl: process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    keep: false,
    reuse: false,
    format: 'csv',
  };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--rows') options.sizes = argv[++index].split(',').map((value) => Number(value.replace(/_/g, '')));
    else if (argument === '--keep') options.keep = true;
    else if (argument === '--reuse') options.reuse = options.keep = true;
    else if (argument === '--format') options.format = argv[++index];
    else if (argument === '--help') {
      console.log('usage: npm run bench:export -- [--rows 10000,1000000] [--format csv|jsonl|claimreview|html] [--keep] [--reuse]');
      process.exit(0);
    } else throw new Error(`unknown option ${argument}`);
  }
  if (options.sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new Error('--rows takes whole numbers, e.g. 10000,1000000');
  return options;
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A database holding one team with `rows` report rows, and a token of a member; reused when asked. */
async function prepareDatabase(options: Options, rows: number): Promise<{ url: string; token: string; database: string }> {
  const database = `cg_bench_export_${rows}`;
  const url = databaseUrl(options.serverUrl, database);
  const admin = new Client({ connectionString: options.serverUrl });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1;
  if (exists && !options.reuse) await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
  if (!exists || !options.reuse) await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();

  const dataSource = createDataSource({ url, poolSize: 1 });
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const seeded = (await client.query(`SELECT count(*)::int AS n FROM claims c JOIN teams t ON t.id = c.team_id WHERE t.slug = 'bench'`)).rows[0].n as number;
    if (seeded !== rows) {
      if (seeded) throw new Error(`${database} holds ${seeded} rows, not ${rows}; run without --reuse`);
      const started = Date.now();
      const users = (
        await client.query(`INSERT INTO users (email, name) VALUES
        ('editor@bench.example', 'Bench Editor'), ('ana@bench.example', 'Ana Reviewer'), ('bo@bench.example', 'Bo Reviewer')
        RETURNING id`)
      ).rows.map((row) => row.id as string);
      const teamId = (await client.query(`INSERT INTO teams (slug, name, created_by) VALUES ('bench', 'Bench desk', $1) RETURNING id`, [users[0]])).rows[0]
        .id as string;
      await client.query(`INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'OWNER'), ($1, $3, 'REVIEWER'), ($1, $4, 'REVIEWER')`, [
        teamId,
        ...users,
      ]);
      process.stderr.write(`seeding ${rows} rows into ${database}... `);
      await seedVerdictRows(client, { teamId, userId: users[0], reviewerIds: users.slice(1), rows });
      process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    const secret = newToken();
    await client.query(
      `INSERT INTO api_tokens (user_id, kind, name, token_hash, prefix)
      SELECT id, 'API', 'bench', $1, $2 FROM users WHERE email = 'editor@bench.example'`,
      [secret.hash, secret.prefix],
    );
    return { url, token: secret.token, database };
  } finally {
    await client.end();
  }
}

/** The real server as a child process (node + tsx, no wrapper process between us and its RSS). */
async function startServer(url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production', CLAIMGRAPH_DEV_AUTH: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const record = JSON.parse(line) as { msg?: string; url?: string; level?: number };
          if (record.msg === 'claimgraph is serving' && record.url) resolve(Number(new URL(record.url).port));
          else if ((record.level ?? 0) >= 50) process.stderr.write(`server: ${line}\n`);
        } catch {
          // not a log line
        }
      }
    });
  });
  return { child, port };
}

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** Resets the kernel's peak-RSS mark of a process to its current RSS (Linux >= 4.0). */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function download(port: number, urlPath: string, token: string): Promise<{ status: number; bytes: number; firstByteMs: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let firstByteMs = -1;
    let bytes = 0;
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.on('data', (chunk: Buffer) => {
        if (firstByteMs < 0) firstByteMs = Number(process.hrtime.bigint() - started) / 1e6;
        bytes += chunk.length;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          bytes,
          firstByteMs,
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

const FILES: Record<string, string> = { csv: 'verdicts.csv', jsonl: 'verdicts.jsonl', claimreview: 'verdicts.claimreview.jsonld', html: 'verdicts.html' };

async function measure(options: Options, rows: number): Promise<Result> {
  const { url, token, database } = await prepareDatabase(options, rows);
  const { child, port } = await startServer(url);
  const pid = child.pid!;
  try {
    const file = FILES[options.format];
    if (!file) throw new Error(`unknown format ${options.format}`);
    // warm-up: module loading, the first plan, the pool's connections
    await download(port, `/exports/${file}?team=bench&status=UNREVIEWED`, token);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baselineKb = rssKb(pid, 'VmRSS');
    const canReset = resetPeak(pid);
    let sampledPeakKb = baselineKb;
    const sampler = setInterval(() => {
      sampledPeakKb = Math.max(sampledPeakKb, rssKb(pid, 'VmRSS'));
    }, 20);
    const result = await download(port, `/exports/${file}?team=bench`, token);
    clearInterval(sampler);
    if (result.status !== 200) throw new Error(`export answered ${result.status}`);
    const peakKb = Math.max(sampledPeakKb, canReset ? rssKb(pid, 'VmHWM') : 0);
    return {
      rows,
      bytes: result.bytes,
      seconds: result.seconds,
      firstByteMs: result.firstByteMs,
      rowsPerSecond: rows / result.seconds,
      peakRssMb: peakKb / 1024,
      baselineRssMb: baselineKb / 1024,
    };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (!options.keep) {
      const admin = new Client({ connectionString: options.serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const results: Result[] = [];
  for (const rows of [...options.sizes].sort((a, b) => a - b)) {
    const result = await measure(options, rows);
    results.push(result);
    console.log(
      `${options.format} ${rows.toLocaleString('en')} rows: ${(result.bytes / 1024 / 1024).toFixed(1)} MiB in ${result.seconds.toFixed(2)} s` +
        ` = ${Math.round(result.rowsPerSecond).toLocaleString('en')} rows/s; first byte after ${result.firstByteMs.toFixed(0)} ms;` +
        ` server RSS ${result.baselineRssMb.toFixed(0)} MiB before, peak ${result.peakRssMb.toFixed(0)} MiB during`,
    );
  }
  if (results.length < 2) return;
  const smallest = results[0];
  const largest = results[results.length - 1];
  const ratio = largest.peakRssMb / smallest.peakRssMb;
  const ok = ratio <= MAX_RSS_RATIO;
  console.log(
    `peak RSS ${largest.rows.toLocaleString('en')} rows / ${smallest.rows.toLocaleString('en')} rows = ${ratio.toFixed(2)}` +
      ` (limit ${MAX_RSS_RATIO}): ${ok ? 'OK, memory stays flat' : 'FAILED, memory grows with the export'}`,
  );
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
