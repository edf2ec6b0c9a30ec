import type { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../../shared/context';
import { badInput } from '../../shared/errors';
import type { ReportFilterInput, ReportScope } from './report.filter';
import { claimReviewWhere, rowQuery, toReportRow, type RawReportRow, type ReportRow } from './report-row';
import { CursorReadable } from './row-stream';
import { EXPORT_FORMATS, type ExportFormat, type ExportFormatInfo } from './formats';
import { CSV_PREAMBLE, csvQuery } from './formats/csv';
import { CopyReadable } from './copy-stream';
import { jsonLinesParts } from './formats/jsonl';
import { claimReviewParts } from './formats/claim-review';
import { CHART_ARTICLES, htmlParts } from './formats/html';
import { Coalesce, DocumentWriter } from './formats/stream-parts';
import { factCheckUrlTemplate } from '../publishing/public-url';

/**
 * Rows per cursor read. Small enough that a batch (and the one buffered behind it) dies in V8's
 * young generation: with 1000 rows per batch the rows outlived two scavenges, were promoted, and the
 * old space grew to ~300 MB between major collections on a 1M-row export (RSS 1.7x that of a 10k
 * one); at 250 the heap stays flat. A round trip per 250 rows costs little against the lateral
 * lookups per row.
 */
export const DEFAULT_BATCH_SIZE = 250;

export interface ExportRequest {
  format: ExportFormat;
  filter: ReportFilterInput;
  /** ClaimReview: the review page URL, `{id}` standing for the Claim ID; default: the public fact-check page. */
  reviewUrl?: string;
  /** Where this server is reached (e.g. http://127.0.0.1:4000), for the default review URL of a team without a public base URL. */
  origin?: string;
  /** ClaimReview: also SETTLED claims that are not published yet. */
  includeSettled?: boolean;
  /** Count the rows first (for a progress bar); costs one more query. */
  countRows?: boolean;
  batchSize?: number;
  now?: Date;
}

export interface PreparedExport {
  format: ExportFormatInfo;
  scope: ReportScope;
  /** e.g. `kursk-desk-verdicts-2026-03-05.csv` */
  fileName: string;
  /** Rows the file will hold (ClaimReview: claims it covers), when `countRows` was asked for. */
  totalRows: number | null;
  /** Rows read from the database so far. */
  readonly rowsRead: number;
  /**
   * Streams the file into `output` with backpressure. Rejects when the output fails or closes
   * early; either way the cursor is closed before it settles. Call once.
   */
  writeTo(output: Writable): Promise<void>;
  /** Closes the cursor (if `writeTo` has not already); safe to call at any time, more than once. */
  abort(): Promise<void>;
}

/** http(s) URL with an `{id}` placeholder. */
export function checkReviewUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.replace('{id}', 'ID'));
  } catch {
    throw badInput('reviewUrl is not a valid URL', 'reviewUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('reviewUrl must be an http or https URL', 'reviewUrl');
  if (!value.includes('{id}')) throw badInput('reviewUrl must contain {id} where the Claim ID goes', 'reviewUrl');
  if (value.length > 1000) throw badInput('reviewUrl is too long', 'reviewUrl');
  return value;
}

/**
 * Everything before the first byte: the filter checked against the caller's teams (errors here are
 * typed DomainErrors, and nothing has been sent), the HTML report's figures, and the cursor opened
 * with its first batch read. The caller owns `context.db`: it must be a read transaction, and the
 * caller finishes it after `writeTo` or `abort` has settled.
 */
export async function prepareExport(context: Context, request: ExportRequest): Promise<PreparedExport> {
  const reports = context.services.reports;
  const format = EXPORT_FORMATS[request.format];
  const scope = await reports.scope(request.filter);
  const now = request.now ?? new Date();
  const extraWhere = request.format === 'claimreview' ? claimReviewWhere(request.includeSettled ?? false) : undefined;
  const totalRows = request.countRows ? await reports.count(scope, extraWhere) : null;

  let stages: Transform[] = [];
  switch (request.format) {
    case 'csv':
      // Postgres writes the records itself (see csvQuery): nothing to do per row here
      break;
    case 'jsonl':
      stages = [new DocumentWriter(jsonLinesParts())];
      break;
    case 'claimreview':
      stages = [
        new DocumentWriter(
          claimReviewParts(scope.team, {
            reviewUrl: checkReviewUrl(request.reviewUrl ?? factCheckUrlTemplate(scope.team.publicBaseUrl, request.origin ?? 'http://localhost')),
            includeSettled: request.includeSettled ?? false,
          }),
        ),
      ];
      break;
    case 'html': {
      // Same transaction as the rows: figures and rows describe one snapshot.
      const figures = {
        claims: await reports.claimCounts(scope),
        verdicts: await reports.verdictCounts(scope),
        agreement: await reports.agreement(scope),
        settle: await reports.settleTime(scope),
        articles: await reports.sourcingByArticle(scope, CHART_ARTICLES, true),
      };
      stages = [new DocumentWriter(htmlParts(scope, figures, now))];
      break;
    }
    default: {
      const unknown: never = request.format;
      throw badInput(`Unknown format ${String(unknown)}`, 'format');
    }
  }

  let rows: CopyReadable | CursorReadable<RawReportRow, ReportRow>;
  if (request.format === 'csv') {
    rows = await CopyReadable.open(context.db, csvQuery(scope), CSV_PREAMBLE);
  } else {
    const { sql, params } = rowQuery(scope, { extraWhere, withSettledAt: request.format === 'claimreview' && request.includeSettled });
    rows = await CursorReadable.open<RawReportRow, ReportRow>(context.db, sql, params, request.batchSize ?? DEFAULT_BATCH_SIZE, toReportRow);
    // one socket write per ~64 kB rather than per row
    stages.push(new Coalesce());
  }
  let used = false;
  return {
    format,
    scope,
    fileName: `${scope.team.slug}-verdicts-${now.toISOString().slice(0, 10)}.${format.extension}`,
    totalRows,
    get rowsRead() {
      return rows.rowsRead;
    },
    async writeTo(output) {
      if (used) throw new Error('writeTo may be called once');
      used = true;
      try {
        await pipeline([rows, ...stages, output]);
      } finally {
        rows.destroy();
        await rows.whenClosed;
      }
    },
    async abort() {
      rows.destroy();
      await rows.whenClosed;
    },
  };
}
