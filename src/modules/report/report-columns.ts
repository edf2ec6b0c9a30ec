import { globalIdSql, toGlobalId } from '../../shared/ids';
import type { ReportedAs } from '../../shared/fields';
import { isoUtc, REPORTED_CLAIM_COLUMNS, REPORTED_VERDICT_COLUMNS, type ReportRow } from './report-row';
import { iso } from './formats/stream-parts';

/**
 * One CSV column: its header and its cell as SQL over the CSV query's ordered claims `b`, their
 * verdicts `v` and evidence `e` (formats/csv.ts, `csvQuery`: Postgres writes the CSV). `text`
 * cells come from people or web pages and are neutralised against formulas and quoted; the
 * others (IDs, enums, timestamps, counts) never hold a comma, a quote or a line break, and are
 * written bare.
 */
export interface CsvColumn {
  name: string;
  sql: string;
  text?: true;
}

/**
 * One part of a report row as the download formats write it: its CSV columns (none, one or
 * several) and its JSON Lines entry. CSV and JSON Lines are both built from REPORT_COLUMNS, in its order.
 */
export interface ReportColumn {
  csv: readonly CsvColumn[];
  json: readonly [key: string, value: (row: ReportRow) => unknown] | null;
}

type ReportedClaimColumn = (typeof REPORTED_CLAIM_COLUMNS)[number];

/**
 * A claim column the report carries as it is (CLAIM_COLUMNS): one CSV cell (timestamps in ISO
 * 8601, the rest as text), one JSON value.
 */
function claimColumn(field: ReportedClaimColumn): ReportColumn {
  const { csv, json }: ReportedAs = field.report;
  const cell: CsvColumn =
    field.type === 'timestamptz' ? { name: csv, sql: isoUtc(`b.${field.column}`) } : { name: csv, sql: `b.${field.column}::text`, text: true };
  return { csv: [cell], json: [json, (row) => jsonValue((row as unknown as Record<string, unknown>)[json])] };
}

function jsonValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

/** The claim column reported under this JSON key (a claim's column placed among the composed ones). */
function claim(json: string, options: { enumerated?: true } = {}): ReportColumn & { field: ReportedClaimColumn } {
  const field = REPORTED_CLAIM_COLUMNS.find((candidate) => candidate.report.json === json);
  if (!field) throw new Error(`No claim column is reported as ${json} (CLAIM_COLUMNS)`);
  const column = claimColumn(field);
  // a value from a fixed list (a CHECK constraint's) is never a formula and never needs quotes
  const csv = options.enumerated ? [{ name: field.report.csv, sql: `b.${field.column}` }] : column.csv;
  return { ...column, csv, field };
}

/**
 * The columns composed from several sources (article, speaker, verdicts, publication, evidence),
 * with the claim's own columns placed among them; a claim column reported but not placed here
 * follows at the end, in CLAIM_COLUMNS order.
 */
function columns(placed: (ReportColumn | (ReportColumn & { field: ReportedClaimColumn }))[]): ReportColumn[] {
  const seen = new Set(placed.flatMap((column) => ('field' in column ? [column.field.property] : [])));
  return [...placed, ...REPORTED_CLAIM_COLUMNS.filter((field) => !seen.has(field.property)).map(claimColumn)];
}

/** The claim's publication is the desk's (both its rating and its date are set). */
const PUBLISHED = 'b.published_rating IS NOT NULL AND b.published_at IS NOT NULL';
/** The publication judged other words than the claim's current ones. */
const TEXT_CHANGED = 'b.published_quote IS NOT NULL AND b.published_quote <> b.quote_exact';

export const REPORT_COLUMNS: readonly ReportColumn[] = columns([
  { csv: [{ name: 'claim_id', sql: globalIdSql('Claim', 'b.id') }], json: ['claimId', (row) => toGlobalId('Claim', row.claimId)] },
  {
    csv: [
      { name: 'article_id', sql: globalIdSql('Article', 'b.article_id') },
      { name: 'article_title', sql: 'b.article_title', text: true },
      { name: 'article_url', sql: 'b.article_url', text: true },
      { name: 'article_outlet', sql: 'b.article_outlet', text: true },
      { name: 'article_published_at', sql: isoUtc('b.article_published_at') },
    ],
    json: [
      'article',
      (row) => ({
        id: toGlobalId('Article', row.article.id),
        title: row.article.title,
        url: row.article.url,
        outlet: row.article.outlet,
        byline: row.article.byline,
        publishedAt: iso(row.article.publishedAt),
        language: row.article.language,
      }),
    ],
  },
  claim('quote'),
  claim('kind', { enumerated: true }),
  {
    csv: [
      { name: 'speaker', sql: 'coalesce(b.speaker_name, b.speaker_descriptor)', text: true },
      { name: 'speaker_kind', sql: 'b.speaker_kind' },
    ],
    json: [
      'speaker',
      (row) =>
        row.speaker
          ? {
              id: toGlobalId('Source', row.speaker.id),
              name: row.speaker.name,
              descriptor: row.speaker.descriptor,
              kind: row.speaker.kind,
              anonymous: row.speaker.anonymous,
            }
          : null,
    ],
  },
  claim('sourcing', { enumerated: true }),
  claim('status', { enumerated: true }),
  {
    csv: [
      // "Name: RATING; Name: RATING" — one cell a person can read; JSON Lines has the structured form
      { name: 'reviewer_ratings', sql: 'v.ratings', text: true },
      { name: 'verdict_count', sql: 'v.verdict_count::text' },
    ],
    json: [
      'verdicts',
      (row) =>
        row.verdicts.map((verdict) => ({
          id: toGlobalId('Verdict', verdict.id),
          reviewer: { id: toGlobalId('User', verdict.reviewerId), name: verdict.reviewerName },
          ...Object.fromEntries(REPORTED_VERDICT_COLUMNS.map((field) => [field.report.json, verdict[field.report.json as keyof typeof verdict] ?? null])),
        })),
    ],
  },
  { csv: [{ name: 'consensus_rating', sql: 'v.consensus_rating' }], json: ['consensusRating', (row) => row.consensusRating] },
  {
    csv: [
      { name: 'published_rating', sql: `CASE WHEN ${PUBLISHED} THEN b.published_rating END` },
      { name: 'published_rationale', sql: `CASE WHEN ${PUBLISHED} THEN b.published_rationale END`, text: true },
      { name: 'published_at', sql: `CASE WHEN ${PUBLISHED} THEN ${isoUtc('b.published_at')} END` },
      // the claim's words changed since publication: the published verdict judged `published_quote`
      { name: 'published_text_changed', sql: `CASE WHEN ${PUBLISHED} THEN (${TEXT_CHANGED})::text END` },
      { name: 'published_quote', sql: `CASE WHEN ${PUBLISHED} AND ${TEXT_CHANGED} THEN b.published_quote END`, text: true },
    ],
    json: [
      'published',
      (row) =>
        row.published
          ? {
              rating: row.published.rating,
              rationale: row.published.rationale,
              at: iso(row.published.at),
              quote: row.published.quote,
              textChanged: row.published.textChanged,
            }
          : null,
    ],
  },
  {
    csv: [{ name: 'evidence_urls', sql: 'e.urls', text: true }],
    json: [
      'evidence',
      (row) =>
        row.evidence.map((evidence) => ({
          id: toGlobalId('Evidence', evidence.id),
          url: evidence.url,
          stance: evidence.stance,
          quotedPassage: evidence.quotedPassage,
          sourceName: evidence.sourceName,
          published: evidence.published,
        })),
    ],
  },
  claim('importedAt'),
]);

/** The CSV's columns in the declared order. */
export const CSV_COLUMNS: readonly CsvColumn[] = REPORT_COLUMNS.flatMap((column) => column.csv);
/** The CSV header, in column order. */
export const CSV_HEADER: readonly string[] = CSV_COLUMNS.map((column) => column.name);
const JSON_ENTRIES = REPORT_COLUMNS.flatMap((column) => (column.json ? [column.json] : []));

/** One report row as a JSON object (IDs are the API's global IDs). */
export function jsonRow(row: ReportRow): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of JSON_ENTRIES) object[key] = value(row);
  return object;
}
