import { withLiterals } from '../../../db/request-db';
import { globalIdSql } from '../../../shared/ids';
import { RATING_SCALE, type Rating } from '../../verdict/rating';
import type { ReportScope } from '../report.filter';
import { CSV_HEADER } from '../report-columns';
import { isoUtc, orderedClaims, REPORTED_CLAIM_COLUMNS } from '../report-row';
import { neutralizeFormulaSql } from './formula';

/**
 * A CSV cell as SQL over the report's ordered claims `b`, their verdicts `v` and evidence `e` (see
 * `csvQuery`). `text` cells come from people or web pages and may need formula neutralisation and
 * quotes; the others (IDs, enums, timestamps, counts) never do.
 */
interface CsvCellSql {
  sql: string;
  text?: true;
}

interface CsvColumn extends CsvCellSql {
  name: string;
}

/** The claim's publication is the desk's (both its rating and its date are set). */
const PUBLISHED = 'b.published_rating IS NOT NULL AND b.published_at IS NOT NULL';
/** The publication judged other words than the claim's current ones. */
const TEXT_CHANGED = 'b.published_quote IS NOT NULL AND b.published_quote <> b.quote_exact';

/** The SQL of each CSV column the report declares (CSV_HEADER, from REPORT_COLUMNS), by header. */
const CELLS: Record<string, CsvCellSql> = {
  claim_id: { sql: globalIdSql('Claim', 'b.id') },
  article_id: { sql: globalIdSql('Article', 'b.article_id') },
  article_title: { sql: 'b.article_title', text: true },
  article_url: { sql: 'b.article_url', text: true },
  article_outlet: { sql: 'b.article_outlet', text: true },
  article_published_at: { sql: isoUtc('b.article_published_at') },
  quote: { sql: 'b.quote_exact', text: true },
  kind: { sql: 'b.kind' },
  speaker: { sql: 'coalesce(b.speaker_name, b.speaker_descriptor)', text: true },
  speaker_kind: { sql: 'b.speaker_kind' },
  sourcing: { sql: 'b.sourcing' },
  status: { sql: 'b.status' },
  // "Name: RATING; Name: RATING" — one cell a person can read; JSON Lines has the structured form
  reviewer_ratings: { sql: 'v.ratings', text: true },
  verdict_count: { sql: 'v.verdict_count::text' },
  consensus_rating: { sql: 'v.consensus_rating' },
  published_rating: { sql: `CASE WHEN ${PUBLISHED} THEN b.published_rating END` },
  published_rationale: { sql: `CASE WHEN ${PUBLISHED} THEN b.published_rationale END`, text: true },
  published_at: { sql: `CASE WHEN ${PUBLISHED} THEN ${isoUtc('b.published_at')} END` },
  // the claim's words changed since publication: the published verdict judged `published_quote`
  published_text_changed: { sql: `CASE WHEN ${PUBLISHED} THEN (${TEXT_CHANGED})::text END` },
  published_quote: { sql: `CASE WHEN ${PUBLISHED} AND ${TEXT_CHANGED} THEN b.published_quote END`, text: true },
  evidence_urls: { sql: 'e.urls', text: true },
  imported_at: { sql: isoUtc('b.created_at') },
};

/**
 * A claim column the report carries as it is (CLAIM_COLUMNS) and CELLS does not name: its column,
 * as the declaration's JavaScript cell writes it (timestamps in ISO 8601, the rest as text).
 */
function claimCell(header: string): CsvCellSql | null {
  const field = REPORTED_CLAIM_COLUMNS.find((candidate) => candidate.report.csv === header);
  if (!field) return null;
  return field.type === 'timestamptz' ? { sql: isoUtc(`b.${field.column}`) } : { sql: `b.${field.column}::text`, text: true };
}

/** The CSV's columns in the declared order; a declared column without SQL stops the server at start. */
const COLUMNS: CsvColumn[] = CSV_HEADER.map((name) => {
  const cell = CELLS[name] ?? claimCell(name);
  if (!cell) throw new Error(`CSV column ${name} (REPORT_COLUMNS) has no SQL cell in formats/csv.ts`);
  return { name, ...cell };
});

/**
 * RFC 4180 CSV: CRLF between records, a UTF-8 byte order mark first, so spreadsheet programs read
 * non-Latin text as UTF-8, then the header line. The records come from Postgres (`csvQuery`).
 */
export const CSV_PREAMBLE = Buffer.from(`\uFEFF${CSV_HEADER.join(',')}\r\n`, 'utf8');

export { CSV_HEADER };

/**
 * What JavaScript's `\s` matches (WhiteSpace and LineTerminator), as a regular-expression bracket
 * body Postgres reads the same way whatever the database's locale.
 */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * A text cell as RFC 4180 writes it: quoted (quotes inside doubled) when it holds a comma, a quote
 * or a line break (a lone LF or CR too: unquoted, either breaks the record for every reader), or
 * starts or ends with white space, which some readers trim. These are the rules csv-stringify
 * followed when claimgraph wrote CSV in JavaScript (`quoted_match: /[\r\n]|^\s|\s$/`), so files
 * compare byte for byte with earlier ones. NULL stays NULL.
 */
function quotedSql(text: string): string {
  return `CASE WHEN ${text} ~ '[",\\r\\n]|^[${WHITE_SPACE}]|[${WHITE_SPACE}]$' THEN '"' || replace(${text}, '"', '""') || '"' ELSE ${text} END`;
}

/** A column's cell, ready for the record: text neutralised against formula injection (formula.ts), then quoted where needed. */
function cellSql(column: CsvColumn): string {
  return column.text ? quotedSql(`(${neutralizeFormulaSql(column.sql)})`) : column.sql;
}

/**
 * The rating a SETTLED claim's verdicts agree on, over the verdicts `v` of one claim (an aggregate
 * expression): `consensusRating` in SQL. Median on the 5..1 scale, a half step rounded toward MIXED.
 */
function consensusSql(status: string): string {
  const onScale = Object.entries(RATING_SCALE).filter((entry): entry is [Rating, number] => entry[1] !== null);
  const scale = `CASE v.rating ${onScale.map(([rating, value]) => `WHEN '${rating}' THEN ${value}`).join(' ')} END`;
  const byPosition = onScale.sort((a, b) => a[1] - b[1]).map(([rating]) => `'${rating}'`);
  const median = `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${scale})`;
  return `CASE
      WHEN ${status} <> 'SETTLED' OR count(*) = 0 THEN NULL
      WHEN count(${scale}) = 0 THEN CASE WHEN min(v.rating) = max(v.rating) THEN min(v.rating) END
      WHEN count(${scale}) < count(*) THEN NULL
      ELSE (ARRAY[${byPosition.join(', ')}])[(CASE WHEN ${median} > 3 THEN floor(${median}) ELSE ceil(${median}) END)::int]
    END`;
}

/**
 * The report's CSV records, one text value each (the whole record, cells quoted and joined, CR
 * included; COPY adds the LF), in report order, for `COPY (…) TO STDOUT`: COPY takes no
 * parameters, so the filter's values go in as literals. The per-row lookups are LATERAL nested
 * loops over index ranges, as in `rowQuery`; the same rows, with only what the CSV shows.
 *
 * `cells` instead gives one column per CSV column, named as in the header, cells neutralised but
 * not quoted: what `psql`'s `\copy (…) TO STDOUT WITH (FORMAT csv, HEADER)` needs to write the same
 * fields with Postgres's own CSV writer (which ends lines with LF and quotes only delimiters,
 * quotes and line breaks). The benchmark compares the download with that.
 */
export function csvQuery(scope: ReportScope, shape: 'records' | 'cells' = 'records'): string {
  const claims = orderedClaims(scope);
  const select =
    shape === 'records'
      ? `concat(${COLUMNS.map(cellSql).join(", ',', ")}, E'\\r')`
      : COLUMNS.map((column) => `${column.text ? neutralizeFormulaSql(column.sql) : column.sql} AS ${column.name}`).join(', ');
  return `/* claimgraph:report-csv */
    SELECT ${select}
    FROM (
      ${withLiterals(claims.sql, claims.params)}
    ) b
    CROSS JOIN LATERAL (
      SELECT string_agg(u.name || ': ' || v.rating, '; ' ORDER BY v.created_at, v.id) AS ratings, count(*) AS verdict_count,
             ${consensusSql('b.status')} AS consensus_rating
      FROM verdicts v JOIN users u ON u.id = v.reviewer_id
      WHERE v.claim_id = b.id AND v.withdrawn_at IS NULL
    ) v
    CROSS JOIN LATERAL (
      SELECT string_agg(nullif(e.url, ''), E'\\n' ORDER BY e.created_at, e.id) AS urls
      FROM evidence e
      WHERE e.claim_id = b.id AND e.removed_at IS NULL
    ) e
    ORDER BY ${claims.order('b')}`;
}
