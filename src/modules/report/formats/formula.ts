/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): Excel, LibreOffice and Google Sheets run a
 * cell that starts with `=`, `+`, `-` or `@` as a formula (tab and carriage return are stripped
 * first by some of them, so they count too), and a claim's quote, a speaker or a rationale comes
 * from any web page. OWASP's remedy: prefix such a cell with a single quote, which every spreadsheet
 * shows as text and hides. Only the downloads meant to be opened by people (CSV, the HTML report)
 * do this; JSON Lines and ClaimReview keep the exact text.
 */
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'];
const FORMULA_START = new RegExp(`^[${FORMULA_STARTS.map((character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}]`);

export function neutralizeFormula<T>(value: T): T | string {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

/** `neutralizeFormula` as a SQL expression over a text expression (for the CSV Postgres writes). */
export function neutralizeFormulaSql(text: string): string {
  const starts = FORMULA_STARTS.map((character) => `chr(${character.charCodeAt(0)})`).join(', ');
  return `CASE WHEN left(${text}, 1) IN (${starts}) THEN '''' || ${text} ELSE ${text} END`;
}
