import { base64url, fromBase64url } from "./encoding.js";

/**
 * The opaque `cursor`/`after` values of keyset-paginated lists (the admin
 * user list, the audit explorer): base64url of a small JSON object. Each list
 * names and checks its own fields; this module only wraps and unwraps them,
 * and checks the timestamp keys both engines print.
 */
export function encodeKeysetCursor(fields: Readonly<Record<string, string>>): string {
  return base64url(Buffer.from(JSON.stringify(fields)));
}

/** The JSON object inside `raw`, or undefined when it is too long, not base64url or not an object. */
export function decodeKeysetCursor(
  raw: string | undefined,
  maxChars: number,
): Record<string, unknown> | undefined {
  if (raw === undefined || raw.length > maxChars || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(fromBase64url(raw)).toString("utf8"));
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * A timestamp as both engines print one (CAST(ts AS TEXT)): "2026-12-02
 * 19:28:08.256+00". Checked field by field so the CAST back in SQL can never
 * fail ("2026-02-31" passes a pattern but not this).
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

export function isTimestampKey(key: string, options: { minYear?: number } = {}): boolean {
  const m = TIMESTAMP.exec(key);
  if (!m) return false;
  const n = (i: number) => Number(m[i] ?? 0);
  const [year, month, day] = [n(1), n(2), n(3)];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= (options.minYear ?? 1) &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    n(4) <= 23 &&
    n(5) <= 59 &&
    n(6) <= 59 &&
    n(7) <= 15 &&
    n(8) <= 59 &&
    n(9) <= 59
  );
}
