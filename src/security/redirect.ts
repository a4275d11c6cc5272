/**
 * Open-redirect defence for `next=` style parameters.
 *
 * Only a path on this site is accepted; anything else yields the fallback.
 * Checks run on the raw value and on every percent-decoding of it (until it
 * stops changing, at most MAX_DECODES times), because some layer between us
 * and the browser - a proxy, a framework, the browser itself - may decode
 * again, and `/%2F%2Fevil.example` becomes `//evil.example` after one pass.
 *
 * Rules for every layer:
 * - starts with exactly one `/` (a second `/` or a `\` makes browsers read
 *   a host: `//evil`, `/\evil`), and has no backslash anywhere;
 * - printable ASCII only: no control characters (browsers strip tab and
 *   newline, so `/\t/evil` turns into `//evil`), no non-ASCII at all (the
 *   fullwidth solidus `／`, zero-width and ideographic spaces, and other
 *   look-alikes that URL parsers may normalise into `/`);
 * - resolves to our own origin when parsed as a URL (belt and braces against
 *   parser quirks the rules above might miss).
 *
 * A legitimate link to a non-ASCII path loses its redirect and lands on the
 * fallback: a small price for never guessing how a parser normalises Unicode.
 */
export const MAX_NEXT_PATH_LENGTH = 2048;
const MAX_DECODES = 4;
/** Printable ASCII; space is allowed only after decoding (`%20`), never raw. */
const RAW_ALLOWED = /^[\x21-\x7e]+$/;
const DECODED_ALLOWED = /^[\x20-\x7e]+$/;
const ASCII_ESCAPE = /%([0-7][0-9a-f])/gi;
const NON_ASCII_ESCAPE = /%[89a-f][0-9a-f]/i;
const PROBE_ORIGIN = "http://bastion.invalid";

export function safeNextPath(value: unknown, fallback = "/dashboard"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_NEXT_PATH_LENGTH) {
    return fallback;
  }
  if (!RAW_ALLOWED.test(value) || !isSameSitePath(value)) return fallback;

  let layer = value;
  for (let i = 0; i < MAX_DECODES; i++) {
    // An escaped non-ASCII byte can only decode to non-ASCII (or, through a
    // lenient legacy decoder, an overlong "/" such as %C0%AF): refuse it.
    if (NON_ASCII_ESCAPE.test(layer)) return fallback;
    const decoded = decodeAsciiEscapes(layer);
    if (decoded === layer) return value;
    if (!DECODED_ALLOWED.test(decoded) || !isSameSitePath(decoded)) return fallback;
    layer = decoded;
  }
  // Still changing after several decodes: deliberately nested encoding.
  return fallback;
}

/**
 * Decodes %00-%7F and leaves malformed escapes (`100%`, `%zz`) as they are,
 * like a lenient decoder would, so a stray `%` never hides what follows it.
 */
function decodeAsciiEscapes(text: string): string {
  return text.replace(ASCII_ESCAPE, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function isSameSitePath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return false;
  try {
    // Dot segments can rebuild "//": "/..//evil" resolves to the path "//evil",
    // which the next hop (or a later safeNextPath-less redirect) may read as a host.
    const url = new URL(path, PROBE_ORIGIN);
    return url.origin === PROBE_ORIGIN && !url.pathname.startsWith("//");
  } catch {
    return false;
  }
}
