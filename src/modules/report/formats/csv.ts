import type { Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ReportRow } from '../report-row';
import { CSV_HEADER, csvCells } from '../report-columns';
import { neutralizeFormula } from './formula';
import { mapRows } from './stream-parts';

/**
 * RFC 4180 CSV (CRLF between records) with a UTF-8 byte order mark, so spreadsheet programs read
 * non-Latin text as UTF-8. csv-stringify quotes a field holding the delimiter or a quote; it would
 * leave a lone LF or CR unquoted with CRLF records, which breaks the row for every reader, so any
 * line break (and leading or trailing space, which some readers trim) forces quotes as well. A cell
 * a spreadsheet would run as a formula is neutralised (see formula.ts).
 */
export function csvStages(): Transform[] {
  return [
    mapRows((row: ReportRow) => csvCells(row).map((cell) => neutralizeFormula(cell ?? ''))),
    stringify({ header: true, columns: [...CSV_HEADER], bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]|^\s|\s$/ }),
  ];
}
