import fs from 'node:fs';
import path from 'node:path';
import type { LoadResult, ProcessMemory } from './load';
import { ROOT } from './processes';

export interface ScenarioResult extends LoadResult {
  peakRssBytes: number;
  cpuMsPerRequest: number | null;
  /** CPU of the Postgres backends serving the bench database, per request. */
  postgresCpuMsPerRequest: number | null;
  /** Statements the server sent during the timed run, divided by the requests answered. */
  sqlPerRequestInRun: number | null;
  /** Peak RSS of each of the server's node processes (primary and workers) during the run. */
  processes?: ProcessMemory[];
}

/** Resident memory per server process: once started and idle, and at its peak under (a). */
export interface MemoryReport {
  idle: ProcessMemory[];
  underArticlePage: ProcessMemory[] | null;
}

export interface Budget {
  id: string;
  text: string;
  pass: boolean;
  detail: string;
}

export interface BenchReport {
  startedAt: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; postgres: string; loadAverageAtStart: number };
  settings: Record<string, unknown>;
  dataset: { claims: number; verdicts: number; teams: Record<string, { claims: number; verdicts: number; articles: number }>; generatedSeconds: number | null };
  scenarios: Record<string, unknown>;
  memory?: MemoryReport;
  budgets: Budget[];
}

/** Per-process memory budgets, in MiB (a worker serving alone, WEB_CONCURRENCY=1, counts as a worker). */
export const MEMORY_BUDGETS_MB = { workerUnderArticlePage: 200, workerIdle: 120, primary: 80 } as const;

const serves = (process: ProcessMemory) => process.role !== 'primary';

/** PASS/FAIL of each per-process memory budget the figures allow to judge. */
export function memoryBudgets(memory: MemoryReport): Budget[] {
  const budgets: Budget[] = [];
  const largest = (processes: ProcessMemory[]) => Math.max(...processes.map((process) => process.peakRssBytes));
  const list = (processes: ProcessMemory[]) => processes.map((process) => `${mb(process.peakRssBytes)}`).join(', ');
  const idleWorkers = memory.idle.filter(serves);
  if (idleWorkers.length) {
    budgets.push({
      id: 'm-worker-idle',
      text: `RSS of an idle worker at most ${MEMORY_BUDGETS_MB.workerIdle} MB`,
      pass: largest(idleWorkers) <= MEMORY_BUDGETS_MB.workerIdle * 2 ** 20,
      detail: `${list(idleWorkers)} MB`,
    });
  }
  const busyWorkers = memory.underArticlePage?.filter(serves) ?? [];
  if (busyWorkers.length) {
    budgets.push({
      id: 'm-worker-peak-a',
      text: `peak RSS of a worker under (a) at most ${MEMORY_BUDGETS_MB.workerUnderArticlePage} MB`,
      pass: largest(busyWorkers) <= MEMORY_BUDGETS_MB.workerUnderArticlePage * 2 ** 20,
      detail: `${list(busyWorkers)} MB`,
    });
  }
  const primary = [...memory.idle, ...(memory.underArticlePage ?? [])].filter((process) => process.role === 'primary');
  if (primary.length) {
    budgets.push({
      id: 'm-primary',
      text: `RSS of the cluster primary (serves nothing) at most ${MEMORY_BUDGETS_MB.primary} MB`,
      pass: largest(primary) <= MEMORY_BUDGETS_MB.primary * 2 ** 20,
      detail: `${mb(largest(primary))} MB (idle ${list(memory.idle.filter((process) => process.role === 'primary'))} MB)`,
    });
  }
  return budgets;
}

/** The table of resident memory per server process. */
function memoryTable(memory: MemoryReport): string[] {
  const underLoad = new Map((memory.underArticlePage ?? []).map((process) => [process.pid, process.peakRssBytes]));
  let worker = 0;
  const rows = memory.idle.map((process) => {
    const name = process.role === 'worker' ? `worker ${++worker}` : process.role;
    const budget =
      process.role === 'primary'
        ? `≤ ${MEMORY_BUDGETS_MB.primary}`
        : `≤ ${MEMORY_BUDGETS_MB.workerIdle} idle, ≤ ${MEMORY_BUDGETS_MB.workerUnderArticlePage} under (a)`;
    return `| ${name} | ${mb(process.peakRssBytes)} | ${mb(underLoad.get(process.pid))} | ${budget} |`;
  });
  return ['| process | idle RSS MB | peak RSS MB under (a) | budget MB |', '|---|---:|---:|---|', ...rows];
}

type Row = [string, string, string, string, string, string, string, string, string];

const fixed = (value: number | null | undefined, digits = 0) => (value == null || Number.isNaN(value) ? '–' : value.toFixed(digits));
const mb = (bytes: number | undefined) => (bytes ? (bytes / 2 ** 20).toFixed(0) : '–');
const sql = (result: { sqlPerRequest?: { min: number; max: number }; sqlPerRequestInRun?: number | null }) =>
  result.sqlPerRequest && Number.isFinite(result.sqlPerRequest.min)
    ? result.sqlPerRequest.min === result.sqlPerRequest.max
      ? String(result.sqlPerRequest.min)
      : `${result.sqlPerRequest.min}–${result.sqlPerRequest.max}`
    : fixed(result.sqlPerRequestInRun, 1);

function loadRow(name: string, result: ScenarioResult & { sqlPerRequest?: { min: number; max: number } }, note = ''): Row {
  return [
    name,
    fixed(result.requestsPerSecond),
    fixed(result.latencyP50, 1),
    fixed(result.latencyP99, 1),
    sql(result),
    mb(result.peakRssBytes),
    fixed(result.cpuMsPerRequest, 2),
    fixed(result.postgresCpuMsPerRequest, 2),
    note + (result.failures ? ` ${result.failures} failed` : ''),
  ];
}

/** The markdown table, written to bench/results/latest.md and into README.md between the bench markers. */
export function renderMarkdown(report: BenchReport): string {
  const rows: Row[] = [];
  const scenarios = report.scenarios as Record<string, any>;
  if (scenarios.a) {
    const { server, limit, ratio } = scenarios.a;
    rows.push(
      loadRow(
        '(a) article page, claimgraph',
        server,
        `${ratio.requestsPerSecond.toFixed(2)}x limit req/s; p50 ${ratio.latencyP50.toFixed(1)}x, p99 ${ratio.latencyP99.toFixed(1)}x, RSS ${ratio.peakRss.toFixed(1)}x, ` +
          `CPU (server + Postgres) ${((server.cpuMsPerRequest + server.postgresCpuMsPerRequest) / (limit.cpuMsPerRequest + limit.postgresCpuMsPerRequest)).toFixed(1)}x`,
      ),
    );
    rows.push(loadRow('(a) article page, limit (1 json_agg)', limit, 'bare node:http + pg'));
    if (scenarios.a.postgraphile) {
      rows.push(
        loadRow(
          '(a) article page, PostGraphile 5',
          scenarios.a.postgraphile,
          `${scenarios.a.postgraphile.workers} processes, superuser (no RLS, no auth); claimgraph ${scenarios.a.postGraphileRatio.toFixed(2)}x its req/s`,
        ),
      );
    }
  }
  if (scenarios.b) {
    for (const [slug, result] of Object.entries(scenarios.b as Record<string, any>)) {
      rows.push(loadRow(`(b) claim queue, ${result.claims.toLocaleString('en')} claims`, result, slug));
    }
  }
  if (scenarios.c) {
    if (scenarios.c.skipped) rows.push(['(c) verdictReport', '–', '–', '–', '–', '–', '–', '–', scenarios.c.skipped]);
    else if (scenarios.c.team) {
      for (const name of ['team', 'month']) {
        const result = scenarios.c[name];
        if (result)
          rows.push(
            loadRow(
              `(c) verdictReport, ${name === 'team' ? 'whole team' : 'one month'}`,
              result,
              `${result.team}: ${result.note}, ${result.claims?.toLocaleString('en')} claims`,
            ),
          );
      }
    } else rows.push(loadRow('(c) verdictReport', scenarios.c, [scenarios.c.teams?.join(' and '), scenarios.c.note].filter(Boolean).join('; ')));
  }
  if (scenarios.d)
    rows.push(loadRow('(d) submitVerdict (revise)', scenarios.d, `${scenarios.d.historyEvents} history events / ${scenarios.d.acknowledgedWrites} writes`));
  if (scenarios.e) {
    if (scenarios.e.skipped) rows.push(['(e) CSV export', '–', '–', '–', '–', '–', '–', '–', scenarios.e.skipped]);
    else {
      for (const [slug, result] of Object.entries(scenarios.e as Record<string, any>)) {
        rows.push([
          `(e) CSV export, ${result.rows.toLocaleString('en')} rows`,
          fixed(1 / result.seconds, 2),
          fixed(result.latencyP50, 0),
          fixed(result.latencyMax, 0),
          fixed(result.sqlPerRequestInRun, 1),
          mb(result.peakRssBytes),
          fixed(result.cpuMsPerRequest, 0),
          '–',
          `${slug}, ${fixed(result.megabytesPerSecond, 1)} MB/s; req/s column: exports/s`,
        ]);
      }
    }
  }
  const versus = scenarios.eVersusPsql;
  if (versus && !versus.skipped) {
    for (const [name, side] of [
      ['download', versus.claimgraph],
      ['psql \\copy', versus.psql],
    ] as const) {
      rows.push([
        `(e) CSV ${name}, ${side.records.toLocaleString('en')} rows`,
        fixed(side.rounds / side.seconds.reduce((sum: number, value: number) => sum + value, 0), 2),
        '–',
        '–',
        '–',
        mb(side.peakRssBytes),
        '–',
        '–',
        `${fixed(side.megabytesPerSecond, 1)} MB/s, ${Math.round(side.recordsPerSecond).toLocaleString('en')} records/s` +
          (name === 'download'
            ? `; ${versus.ratio.toFixed(2)}x psql; peak RSS of the server's process tree`
            : "; the same rows by psql's \\copy; peak RSS of psql"),
      ]);
    }
  }
  const { machine, dataset } = report;
  const settings = report.settings as { connections: number; durationSeconds: number; poolSize: number; authMode: string; rounds?: number; workers?: number };
  const lines = [
    `Benchmark of ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${dataset.claims.toLocaleString('en')} claims, ${dataset.verdicts.toLocaleString('en')} verdicts; ` +
      `${settings.connections} connections, ${settings.durationSeconds} s per run${(settings.rounds ?? 1) > 1 ? ` ((a): ${settings.rounds} rounds per side, taking turns)` : ''}, ` +
      `server: ${settings.workers ?? 1} worker process${(settings.workers ?? 1) === 1 ? '' : 'es'} (WEB_CONCURRENCY), pool ${settings.poolSize} each, auth ${settings.authMode}.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, Postgres ${machine.postgres} (load average ${machine.loadAverageAtStart.toFixed(2)} at start; server, Postgres and load generator share the cores).`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | SQL/req | peak RSS MB | server CPU ms/req | Postgres CPU ms/req | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    ...(report.memory ? [...memoryTable(report.memory), ''] : []),
    ...report.budgets.map((budget) => `- ${budget.pass ? 'PASS' : 'FAIL'} ${budget.text}: ${budget.detail}`),
  ];
  return lines.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/**
 * A complete run (every scenario) becomes bench/results/latest.{json,md} and the README table; a
 * partial one (--only) goes to bench/results/partial.json only, so it never replaces them.
 */
export function writeReport(report: BenchReport, options: { readme: boolean; partial?: boolean }): string {
  const directory = path.join(ROOT, 'bench/results');
  fs.mkdirSync(directory, { recursive: true });
  const markdown = renderMarkdown(report);
  if (options.partial) {
    fs.writeFileSync(path.join(directory, 'partial.json'), `${JSON.stringify(report, null, 2)}\n`);
    return markdown;
  }
  fs.writeFileSync(path.join(directory, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(directory, 'latest.md'), `${markdown}\n`);
  if (options.readme) {
    const readme = path.join(ROOT, 'README.md');
    const block = `${START}\n${markdown}\n${END}`;
    const current = fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8') : '';
    if (current.includes(START) && current.includes(END)) {
      fs.writeFileSync(
        readme,
        current.replace(new RegExp(`${START}[\\s\\S]*?${END}`), () => block),
      );
    } else {
      fs.writeFileSync(
        readme,
        `${current}${current && !current.endsWith('\n') ? '\n' : ''}${current ? '\n' : '# claimgraph\n\n'}## Performance\n\n` +
          '`npm run bench` (default 40k claims; `-- --scale 1m` for 1M) builds its own data set in the `claimgraph_bench` database and ' +
          'measures the real server beside a bare json_agg handler; see bench/results/latest.md.\n\n' +
          `${block}\n`,
      );
    }
  }
  return markdown;
}

if (require.main === module && process.argv.includes('--render')) {
  // re-render latest.md and README.md from latest.json (after a change of this file's layout)
  const report = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/results/latest.json'), 'utf8')) as BenchReport;
  console.log(writeReport(report, { readme: true }));
}
