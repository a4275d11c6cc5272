/**
 * CSV as spreadsheets read it (RFC 4180: CRLF line ends, every field in
 * double quotes, quotes doubled), safe to open.
 *
 * Formula injection: a value like `=HYPERLINK("http://evil", "click")` or
 * `@SUM(...)` (a name typed at sign-up, a user agent, an address in audit
 * details) is run by Excel, LibreOffice and Sheets as a formula when the file
 * is opened. Any cell starting with = + - @, a tab or a carriage return gets
 * a leading apostrophe, which the spreadsheet shows as text (OWASP's "CSV
 * injection" advice). Quoting alone does not help: the quotes are gone once
 * the cell is parsed.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function csvLine(values: readonly string[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
