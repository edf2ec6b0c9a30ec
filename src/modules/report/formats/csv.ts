import { withLiterals } from '../../../db/request-db';
import { RATING_SCALE, type Rating } from '../../verdict/rating';
import type { ReportScope } from '../report.filter';
import { CSV_COLUMNS, CSV_HEADER, type CsvColumn } from '../report-columns';
import { orderedClaims } from '../report-row';
import { neutralizeFormulaSql } from './formula';

/**
 * RFC 4180 CSV: CRLF between records, a UTF-8 byte order mark first, so spreadsheet programs read
 * non-Latin text as UTF-8, then the header line. The records come from Postgres (`csvQuery`).
 */
export const CSV_PREAMBLE = Buffer.from(`\uFEFF${CSV_HEADER.join(',')}\r\n`, 'utf8');

export { CSV_HEADER };

/**
 * A text cell as RFC 4180 writes it: quoted, quotes inside doubled, whenever it holds any text, so
 * no reader trims white space at either end or splits a cell at a comma or a line break; empty
 * and NULL cells stay empty. Deciding cell by cell whether quotes are needed (a comma, a quote, a
 * line break, white space at either end) took Postgres a regular expression per cell, and was the
 * part of the download psql's \copy of the same cells does not pay (bench/README.md, "CSV at any
 * size"); RFC 4180 lets any field be quoted, and every reader takes it.
 */
function quotedSql(text: string): string {
  return `'"' || replace(nullif(${text}, ''), '"', '""') || '"'`;
}

/** A column's cell, ready for the record: text neutralised against formula injection (formula.ts), then quoted. */
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
      ? // array_to_string finds its elements' output function once per statement; concat looked it
        // up in the catalogue cache for each of its 44 arguments on every row. NULL cells are ''
        // in both.
        `array_to_string(ARRAY[${CSV_COLUMNS.map((column) => `(${cellSql(column)})::text`).join(', ')}], ',', '') || E'\\r'`
      : CSV_COLUMNS.map((column) => `${column.text ? neutralizeFormulaSql(column.sql) : column.sql} AS ${column.name}`).join(', ');
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
