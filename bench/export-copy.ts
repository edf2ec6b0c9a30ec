import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'csv-parse/sync';
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

/** Counts CSV records in chunks as they arrive: RFC 4180 doubles a quote inside a quoted cell, so toggling on every quote byte is exact. */
export class RecordCounter {
  records = 0;
  bytes = 0;
  private quoted = false;

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (const byte of chunk) {
      if (byte === 34) this.quoted = !this.quoted;
      else if (byte === 10 && !this.quoted) this.records++;
    }
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

/** The download, timed from the request to its last byte, with its server's process tree sampled. */
export async function downloadCsv(url: string, headers: Record<string, string>, serverPid: number, keepBody: boolean): Promise<Transfer> {
  const sampler = new ProcessSampler(serverPid);
  sampler.start();
  const started = performance.now();
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`download: ${response.status} ${(await response.text()).slice(0, 300)}`);
  const counter = new RecordCounter();
  const chunks: Buffer[] = [];
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    counter.add(chunk);
    if (keepBody) chunks.push(Buffer.from(chunk));
  }
  const seconds = (performance.now() - started) / 1000;
  const { peakRssBytes } = sampler.stop();
  return { bytes: counter.bytes, records: counter.records - 1, seconds, peakRssBytes, body: keepBody ? Buffer.concat(chunks) : null };
}

/** Both files hold the same records, field by field (the download's BOM, CRLF and extra quotes aside). */
export function sameFields(download: Buffer, copy: Buffer): { equal: boolean; detail: string } {
  const ours = parse(download, { bom: true }) as string[][];
  const theirs = parse(copy) as string[][];
  if (ours.length !== theirs.length) return { equal: false, detail: `${ours.length - 1} records vs ${theirs.length - 1}` };
  for (let index = 0; index < ours.length; index++) {
    if (!isDeepStrictEqual(ours[index], theirs[index])) {
      return {
        equal: false,
        detail: `record ${index} differs: ${JSON.stringify(ours[index]).slice(0, 300)} vs ${JSON.stringify(theirs[index]).slice(0, 300)}`,
      };
    }
  }
  return { equal: true, detail: `${ours.length - 1} records, ${ours[0]?.length ?? 0} fields each, equal` };
}
