import type { Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import { toGlobalId } from '../../../shared/ids';
import { speakerName, type ReportRow } from '../report-row';
import { neutralizeFormula } from './formula';
import { iso, mapRows } from './stream-parts';

/** CSV columns, in order: header name and value. */
const COLUMNS: [string, (row: ReportRow) => string | number | null][] = [
  ['claim_id', (row) => toGlobalId('Claim', row.claimId)],
  ['article_id', (row) => toGlobalId('Article', row.article.id)],
  ['article_title', (row) => row.article.title],
  ['article_url', (row) => row.article.url],
  ['article_outlet', (row) => row.article.outlet],
  ['article_published_at', (row) => iso(row.article.publishedAt)],
  ['quote', (row) => row.quote],
  ['kind', (row) => row.kind],
  ['speaker', (row) => speakerName(row)],
  ['speaker_kind', (row) => row.speaker?.kind ?? null],
  ['sourcing', (row) => row.sourcing],
  ['status', (row) => row.status],
  // "Name: RATING; Name: RATING" — one cell a person can read; JSON Lines has the structured form
  ['reviewer_ratings', (row) => row.verdicts.map((verdict) => `${verdict.reviewerName}: ${verdict.rating}`).join('; ')],
  ['verdict_count', (row) => row.verdicts.length],
  ['consensus_rating', (row) => row.consensusRating],
  ['published_rating', (row) => row.published?.rating ?? null],
  ['published_rationale', (row) => row.published?.rationale ?? null],
  ['published_at', (row) => iso(row.published?.at)],
  // the claim's words changed since publication: the published verdict judged `published_quote`
  ['published_text_changed', (row) => (row.published ? String(row.published.textChanged) : null)],
  ['published_quote', (row) => (row.published?.textChanged ? row.published.quote : null)],
  [
    'evidence_urls',
    (row) =>
      row.evidence
        .map((evidence) => evidence.url)
        .filter(Boolean)
        .join('\n'),
  ],
  ['imported_at', (row) => iso(row.importedAt)],
];

export const CSV_HEADER = COLUMNS.map(([name]) => name);

/**
 * RFC 4180 CSV (CRLF between records) with a UTF-8 byte order mark, so spreadsheet programs read
 * non-Latin text as UTF-8. csv-stringify quotes a field holding the delimiter or a quote; it would
 * leave a lone LF or CR unquoted with CRLF records, which breaks the row for every reader, so any
 * line break (and leading or trailing space, which some readers trim) forces quotes as well. A cell
 * a spreadsheet would run as a formula is neutralised (see formula.ts).
 */
export function csvStages(): Transform[] {
  return [
    mapRows((row: ReportRow) => COLUMNS.map(([, value]) => neutralizeFormula(value(row) ?? ''))),
    stringify({ header: true, columns: CSV_HEADER, bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]|^\s|\s$/ }),
  ];
}
