import type { ReportRow } from '../report-row';
import { jsonRow } from '../report-columns';
import type { DocumentParts } from './stream-parts';

/**
 * JSON Lines: one object per line. JSON.stringify escapes line breaks inside strings, and U+2028 /
 * U+2029 are escaped too so a line is a line for every reader, including JavaScript-era ones.
 */
export function jsonLinesParts(): DocumentParts<ReportRow> {
  return {
    head: () => '',
    row: (row) =>
      `${JSON.stringify(jsonRow(row))
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029')}\n`,
    tail: () => '',
  };
}
