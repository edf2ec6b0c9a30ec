import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { DomainError } from '../shared/errors';
import { createContext } from '../shared/context';
import { filterFromQuery, type QueryValues } from '../modules/report/report.filter';
import { isExportFormat, type ExportFormat } from '../modules/report/formats';
import { prepareExport, type PreparedExport } from '../modules/report/export';
import { CliError, openRuntime, type CliRuntime } from './runtime';

interface ExportOptions {
  format: ExportFormat;
  team: string;
  out: string;
  article?: string[];
  from?: string;
  to?: string;
  status?: string[];
  sourcing?: string[];
  rating?: string[];
  reviewer?: string;
  includeSettled?: boolean;
  reviewUrl?: string;
  as?: string;
  token?: string;
  quiet?: boolean;
}

/** Where the command writes; tests hand in their own streams. */
export interface ExportIo {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  openRuntime: () => Promise<CliRuntime>;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function format(value: string): ExportFormat {
  const lower = value.toLowerCase();
  if (!isExportFormat(lower)) throw new InvalidArgumentError('must be csv, jsonl, claimreview or html');
  return lower;
}

/**
 * Shows rows done / total and the rate on a terminal; says nothing when stderr is not one (a pipe,
 * a log file, cron), so scripts stay quiet. Returns a function that stops it.
 */
function showProgress(prepared: PreparedExport, stderr: ExportIo['stderr']): (done: boolean) => void {
  if (!stderr.isTTY) return () => undefined;
  const total = prepared.totalRows ?? 0;
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WritableStream,
      format: `${prepared.fileName} {bar} {value}/{total} rows | {rate} rows/s | {duration_formatted}`,
      hideCursor: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const rate = (): string => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? Math.round(prepared.rowsRead / seconds).toLocaleString('en') : '0';
  };
  bar.start(total, 0, { rate: '0' });
  const timer = setInterval(() => bar.update(Math.min(prepared.rowsRead, total), { rate: rate() }), 100);
  return (done) => {
    clearInterval(timer);
    if (done) bar.update(total, { rate: rate() });
    bar.stop();
  };
}

/**
 * Writes to a temporary file beside the target and renames it when complete, so FILE is either
 * the whole export or (after a failure or Ctrl-C) untouched: never a truncated file that looks whole.
 */
async function writeExport(prepared: PreparedExport, out: string, io: ExportIo): Promise<void> {
  if (out === '-') {
    await prepared.writeTo(io.stdout);
    return;
  }
  const target = path.resolve(out);
  if (!fs.existsSync(path.dirname(target))) throw new CliError(`No such directory: ${path.dirname(target)}`);
  const partial = `${target}.partial-${process.pid}`;
  const file = fs.createWriteStream(partial, { flags: 'wx' });
  const interrupt = (): void => {
    file.destroy(new CliError('Interrupted'));
  };
  process.once('SIGINT', interrupt);
  try {
    await prepared.writeTo(file);
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

async function runExport(options: ExportOptions, io: ExportIo): Promise<void> {
  if (options.includeSettled && options.format !== 'claimreview') throw new CliError('--include-settled applies to --format claimreview');
  if (options.reviewUrl && options.format !== 'claimreview') throw new CliError('--review-url applies to --format claimreview');
  const query: QueryValues = {
    team: options.team,
    article: options.article,
    from: options.from,
    to: options.to,
    status: options.status,
    sourcing: options.sourcing,
    rating: options.rating,
    reviewer: options.reviewer,
  };
  const filter = filterFromQuery(query);
  const runtime = await io.openRuntime();
  try {
    const actor = await runtime.actor({ as: options.as, token: options.token });
    const context = createContext({ dataSource: runtime.database.dataSource, log: runtime.log, config: runtime.config }, actor, randomUUID());
    context.db.setMode('read');
    let prepared: PreparedExport | null = null;
    try {
      prepared = await prepareExport(context, {
        format: options.format,
        filter,
        includeSettled: options.includeSettled ?? false,
        reviewUrl: options.reviewUrl,
        origin: `http://${runtime.config.host}:${runtime.config.port}`,
        countRows: Boolean(io.stderr.isTTY) && !options.quiet,
      });
      const stopProgress = options.quiet ? () => undefined : showProgress(prepared, io.stderr);
      const started = Date.now();
      try {
        await writeExport(prepared, options.out, io);
        stopProgress(true);
      } catch (error) {
        stopProgress(false);
        throw error;
      }
      if (io.stderr.isTTY && !options.quiet && options.out !== '-') {
        io.stderr.write(`wrote ${prepared.rowsRead.toLocaleString('en')} rows to ${options.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }
    } finally {
      // the cursor must be closed before its transaction can end
      await prepared?.abort();
      await context.db.finish('rollback');
    }
  } finally {
    await runtime.close();
  }
}

/**
 * `export --format csv|jsonl|claimreview|html --team SLUG [filters] --out FILE` — the same report,
 * filter and permissions as GET /exports/..., acting as a user (`--as EMAIL` or `--token TOKEN`).
 */
export function registerExportCommand(program: Command, io: Partial<ExportIo> = {}): Command {
  const streams: ExportIo = { stdout: process.stdout, stderr: process.stderr, openRuntime, ...io };
  return program
    .command('export')
    .description('export a verdict report (streamed, any size); progress on a terminal, quiet otherwise')
    .requiredOption('--format <format>', 'csv, jsonl, claimreview (schema.org JSON-LD) or html', format)
    .requiredOption('--team <team>', 'team slug or Team ID')
    .requiredOption('--out <file>', 'file to write ("-" for standard output); written whole or not at all')
    .option('--article <id>', 'only this article (Article ID); repeat for more', collect)
    .option('--from <date>', 'articles published on or after (2026-03-01 or an ISO date-time)')
    .option('--to <date>', 'articles published up to (a date includes that day; a date-time is exclusive)')
    .option('--status <status>', 'UNREVIEWED, IN_REVIEW, DISPUTED, NEEDS_REREVIEW, SETTLED (comma-separated or repeated)', collect)
    .option('--sourcing <sourcing>', 'SOURCED, ANONYMOUS, UNSOURCED', collect)
    .option('--rating <rating>', 'claims with a current verdict of this rating (TRUE .. FALSE, MISLEADING, UNVERIFIABLE)', collect)
    .option('--reviewer <reviewer>', 'claims with a current verdict by this reviewer (email or User ID)')
    .option('--include-settled', 'claimreview: also settled claims that are not published yet')
    .option('--review-url <template>', 'claimreview: URL of each review page, {id} standing for the Claim ID')
    .option('--as <email>', 'act as this user (a member of the team)')
    .option('--token <token>', 'act as the owner of this API token')
    .option('--quiet', 'no progress bar')
    .action(async (options: ExportOptions) => {
      try {
        await runExport(options, streams);
      } catch (error) {
        if (error instanceof DomainError || error instanceof CliError) {
          streams.stderr.write(`error: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
    });
}
