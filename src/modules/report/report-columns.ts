import { toGlobalId } from '../../shared/ids';
import type { ReportedAs } from '../../shared/fields';
import { REPORTED_CLAIM_COLUMNS, REPORTED_VERDICT_COLUMNS, speakerName, type ReportRow } from './report-row';
import { iso } from './formats/stream-parts';

export type CsvCell = string | number | null;

/**
 * One part of a report row as the download formats write it: its CSV cells (none, one or several)
 * and its JSON Lines entry. CSV and JSON Lines are both built from REPORT_COLUMNS, in its order.
 */
export interface ReportColumn {
  csv: readonly (readonly [header: string, value: (row: ReportRow) => CsvCell])[];
  json: readonly [key: string, value: (row: ReportRow) => unknown] | null;
}

type ReportedClaimColumn = (typeof REPORTED_CLAIM_COLUMNS)[number];

/** A claim column the report carries as it is (CLAIM_COLUMNS): one CSV cell, one JSON value. */
function claimColumn(field: ReportedClaimColumn): ReportColumn {
  const { csv, json }: ReportedAs = field.report;
  const value = (row: ReportRow): unknown => (row as unknown as Record<string, unknown>)[json];
  return { csv: [[csv, (row) => csvCell(value(row))]], json: [json, (row) => jsonValue(value(row))] };
}

function csvCell(value: unknown): CsvCell {
  if (value == null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join('\n');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function jsonValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

/** The claim column reported under this JSON key (a claim's column placed among the composed ones). */
function claim(json: string): ReportColumn & { field: ReportedClaimColumn } {
  const field = REPORTED_CLAIM_COLUMNS.find((candidate) => candidate.report.json === json);
  if (!field) throw new Error(`No claim column is reported as ${json} (CLAIM_COLUMNS)`);
  return { ...claimColumn(field), field };
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

export const REPORT_COLUMNS: readonly ReportColumn[] = columns([
  { csv: [['claim_id', (row) => toGlobalId('Claim', row.claimId)]], json: ['claimId', (row) => toGlobalId('Claim', row.claimId)] },
  {
    csv: [
      ['article_id', (row) => toGlobalId('Article', row.article.id)],
      ['article_title', (row) => row.article.title],
      ['article_url', (row) => row.article.url],
      ['article_outlet', (row) => row.article.outlet],
      ['article_published_at', (row) => iso(row.article.publishedAt)],
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
  claim('kind'),
  {
    csv: [
      ['speaker', (row) => speakerName(row)],
      ['speaker_kind', (row) => row.speaker?.kind ?? null],
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
  claim('sourcing'),
  claim('status'),
  {
    csv: [
      // "Name: RATING; Name: RATING" — one cell a person can read; JSON Lines has the structured form
      ['reviewer_ratings', (row) => row.verdicts.map((verdict) => `${verdict.reviewerName}: ${verdict.rating}`).join('; ')],
      ['verdict_count', (row) => row.verdicts.length],
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
  { csv: [['consensus_rating', (row) => row.consensusRating]], json: ['consensusRating', (row) => row.consensusRating] },
  {
    csv: [
      ['published_rating', (row) => row.published?.rating ?? null],
      ['published_rationale', (row) => row.published?.rationale ?? null],
      ['published_at', (row) => iso(row.published?.at)],
      // the claim's words changed since publication: the published verdict judged `published_quote`
      ['published_text_changed', (row) => (row.published ? String(row.published.textChanged) : null)],
      ['published_quote', (row) => (row.published?.textChanged ? row.published.quote : null)],
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
    csv: [
      [
        'evidence_urls',
        (row) =>
          row.evidence
            .map((evidence) => evidence.url)
            .filter(Boolean)
            .join('\n'),
      ],
    ],
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

/** The CSV header, in column order. */
export const CSV_HEADER: readonly string[] = REPORT_COLUMNS.flatMap((column) => column.csv.map(([header]) => header));
const CSV_CELLS = REPORT_COLUMNS.flatMap((column) => column.csv.map(([, value]) => value));
const JSON_ENTRIES = REPORT_COLUMNS.flatMap((column) => (column.json ? [column.json] : []));

/** A row's CSV cells, in header order. */
export function csvCells(row: ReportRow): CsvCell[] {
  return CSV_CELLS.map((value) => value(row));
}

/** One report row as a JSON object (IDs are the API's global IDs). */
export function jsonRow(row: ReportRow): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of JSON_ENTRIES) object[key] = value(row);
  return object;
}
