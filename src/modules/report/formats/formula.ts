/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): Excel, LibreOffice and Google Sheets run a
 * cell that starts with `=`, `+`, `-` or `@` as a formula (tab and carriage return are stripped
 * first by some of them, so they count too), and a claim's quote, a speaker or a rationale comes
 * from any web page. OWASP's remedy: prefix such a cell with a single quote, which every spreadsheet
 * shows as text and hides. Only the downloads meant to be opened by people (CSV, the HTML report)
 * do this; JSON Lines and ClaimReview keep the exact text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeFormula<T>(value: T): T | string {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}
