import pg from 'pg';

/** pg's own parser (postgres-date), for every form the fast path does not take. */
export const pgTimestamptzParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date | number | null;

const ZERO = 48;

/** The decimal number in text[start, end), or -1 when a character there is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `timestamptz` text as Postgres sends it (DateStyle ISO, any TimeZone):
 * `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`, read by position instead of postgres-date's regular
 * expressions. Parsing the timestamps of the reviewer page's ~250 rows is a measurable share of the
 * server's CPU (bench/README.md). Years outside 1000–9999, BC dates and ±infinity go to pg's own parser, so
 * every value parses exactly as before (test/timestamp-parser.test.ts compares the two).
 */
export function parseTimestamptz(text: string): Date | number | null {
  const length = text.length;
  if (
    length < 22 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 32 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return pgTimestamptzParser(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 1000 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return pgTimestamptzParser(text);
  let index = 19;
  let millisecond = 0;
  if (text.charCodeAt(index) === 46) {
    index++;
    let scale = 100;
    while (index < length) {
      const digit = text.charCodeAt(index) - ZERO;
      if (digit < 0 || digit > 9) break;
      millisecond += digit * scale;
      scale /= 10;
      index++;
    }
    millisecond = Math.floor(millisecond);
  }
  const sign = text.charCodeAt(index);
  if ((sign !== 43 && sign !== 45) || index + 3 > length) return pgTimestamptzParser(text);
  const offsetHours = digits(text, index + 1, index + 3);
  index += 3;
  let offsetMinutes = 0;
  let offsetSeconds = 0;
  if (index < length) {
    if (text.charCodeAt(index) !== 58 || (offsetMinutes = digits(text, index + 1, index + 3)) < 0) return pgTimestamptzParser(text);
    index += 3;
    if (index < length) {
      if (text.charCodeAt(index) !== 58 || (offsetSeconds = digits(text, index + 1, index + 3)) < 0) return pgTimestamptzParser(text);
      index += 3;
    }
  }
  if (offsetHours < 0 || index !== length) return pgTimestamptzParser(text);
  const offset = (sign === 45 ? -1 : 1) * ((offsetHours * 60 + offsetMinutes) * 60 + offsetSeconds) * 1000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offset);
}

let installed = false;

/** Makes every pg client in the process parse timestamptz with parseTimestamptz (pg's type parsers are global). */
export function installTimestampParser(): void {
  if (installed) return;
  installed = true;
  pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, parseTimestamptz);
}
