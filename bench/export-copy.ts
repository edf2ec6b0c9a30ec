import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'csv-parse';
import { csvQuery } from '../src/modules/report/formats/csv';
import type { ReportScope } from '../src/modules/report/report.filter';
import { APP_ROLE } from '../src/db/request-db';
import { ProcessSampler } from './load';

/**
 * (e)'s yardstick: `psql`'s `\copy` of the same rows, as one would export them by hand. The same
 * fields (the CSV's columns as SQL, `csvQuery(scope, 'cells')`), written by Postgres's own CSV
 * writer, under the app role with the team's scope (row-level security applies as for the
 * download), in a read-only snapshot as the download has.
 */

export interface Transfer {
  bytes: number;
  /** CSV records (quote-aware: a quoted cell may hold line feeds), header excluded. */
  records: number;
  seconds: number;
  /** Peak RSS of the process tree that produced the file (the server's, or psql's). */
  peakRssBytes: number;
  body: Buffer | null;
}

/** `psql` on PATH (or $PSQL); null when there is none. */
export function findPsql(): string | null {
  const psql = process.env.PSQL || 'psql';
  const probe = spawnSync(psql, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? psql : null;
}

/** The team's whole report, as the benchmark asks for it (no filter). */
export function teamScope(teamId: string, slug: string): ReportScope {
  return {
    team: { id: teamId, slug, name: slug, organizationName: null, organizationUrl: null, organizationLogoUrl: null, publicBaseUrl: null },
    articleIds: null,
    publishedFrom: null,
    publishedTo: null,
    status: null,
    sourcing: null,
    rating: null,
    reviewer: null,
  };
}

/**
 * Counts CSV records in chunks as they arrive: RFC 4180 doubles a quote inside a quoted cell, so
 * toggling on every quote byte is exact. It jumps from quote to quote and line feed to line feed
 * (`indexOf`, memchr) rather than looking at each byte in JavaScript: that took ~10 ns a byte, 6 s
 * of CPU for a 1M-record file, on the cores the server and Postgres share with the load generator.
 */
export class RecordCounter {
  records = 0;
  bytes = 0;
  private quoted = false;

  add(buffer: Buffer): void {
    this.bytes += buffer.length;
    let quote = buffer.indexOf(34);
    for (let lineFeed = buffer.indexOf(10); lineFeed !== -1; lineFeed = buffer.indexOf(10, lineFeed + 1)) {
      for (; quote !== -1 && quote < lineFeed; quote = buffer.indexOf(34, quote + 1)) this.quoted = !this.quoted;
      if (!this.quoted) this.records++;
    }
    for (; quote !== -1; quote = buffer.indexOf(34, quote + 1)) this.quoted = !this.quoted;
  }
}

export async function psqlCopy(psql: string, url: string, scope: ReportScope, userId: string, keepBody: boolean): Promise<Transfer> {
  // \copy takes its query on one line; the SQL has no line breaks inside its literals
  const query = csvQuery(scope, 'cells').replace(/\s+/g, ' ');
  const script = [
    'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;',
    `SELECT set_config('role', '${APP_ROLE}', true), set_config('claimgraph.team_ids', '{${scope.team.id}}', true), set_config('claimgraph.user_id', '${userId}', true) \\g /dev/null`,
    // as the download's COPY runs (CopyReadable)
    'SET LOCAL jit = off;',
    `\\copy (${query}) TO STDOUT WITH (FORMAT csv, HEADER)`,
    'COMMIT;',
  ].join('\n');
  const started = performance.now();
  const child = spawn(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let peakKb = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // exited
    }
  };
  const sampler = setInterval(sample, 25);
  const counter = new RecordCounter();
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    sample();
    counter.add(chunk);
    if (keepBody) chunks.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(script);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`psql \\copy failed (${code}): ${stderr.slice(0, 500)}`);
  return {
    bytes: counter.bytes,
    records: counter.records - 1,
    seconds,
    peakRssBytes: peakKb * 1024,
    body: keepBody ? Buffer.concat(chunks) : null,
  };
}

/**
 * The download, timed from the request to its last byte, with its server's process tree sampled.
 * Read with node:http, not fetch: undici's web streams cost the load generator ~20% more CPU per
 * byte, taken from the cores the server and Postgres run on (psql's side is a C client).
 */
export async function downloadCsv(url: string, headers: Record<string, string>, serverPid: number, keepBody: boolean): Promise<Transfer> {
  const sampler = new ProcessSampler(serverPid);
  sampler.start();
  const started = performance.now();
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(url, { headers }, resolve).once('error', reject);
  });
  const counter = new RecordCounter();
  const chunks: Buffer[] = [];
  if (response.statusCode !== 200) {
    for await (const chunk of response) chunks.push(chunk as Buffer);
    sampler.stop();
    throw new Error(`download: ${response.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`);
  }
  for await (const chunk of response) {
    counter.add(chunk as Buffer);
    if (keepBody) chunks.push(chunk as Buffer);
  }
  const seconds = (performance.now() - started) / 1000;
  const { peakRssBytes } = sampler.stop();
  return { bytes: counter.bytes, records: counter.records - 1, seconds, peakRssBytes, body: keepBody ? Buffer.concat(chunks) : null };
}

/**
 * Both files hold the same records, field by field (the download's BOM, CRLF and extra quotes
 * aside). Parsed record by record, side by side: a 1M-record file parsed whole is gigabytes of
 * strings, whose collection would then land in the timed rounds that follow.
 */
export async function sameFields(download: Buffer, copy: Buffer): Promise<{ equal: boolean; detail: string }> {
  const ours = (parse(download, { bom: true }) as AsyncIterable<string[]>)[Symbol.asyncIterator]();
  const theirs = (parse(copy) as AsyncIterable<string[]>)[Symbol.asyncIterator]();
  let fields = 0;
  for (let index = 0; ; index++) {
    const [a, b] = await Promise.all([ours.next(), theirs.next()]);
    if (a.done || b.done) {
      if (a.done && b.done) return { equal: true, detail: `${index - 1} records, ${fields} fields each, equal` };
      return { equal: false, detail: `the ${a.done ? 'download' : 'copy'} ends at record ${index - 1}, the other goes on` };
    }
    if (index === 0) fields = a.value.length;
    if (!isDeepStrictEqual(a.value, b.value)) {
      await Promise.all([ours.return?.(), theirs.return?.()]);
      return {
        equal: false,
        detail: `record ${index} differs: ${JSON.stringify(a.value).slice(0, 300)} vs ${JSON.stringify(b.value).slice(0, 300)}`,
      };
    }
  }
}
