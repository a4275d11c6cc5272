import { base64url, fromBase64url } from "../lib/encoding.js";

/** Where a page starts: strictly older (or newer) than the event with this time and id. */
export interface AuditCursor {
  direction: "older" | "newer";
  /** created_at as the database prints it (full precision). */
  key: string;
  id: string;
}

const CURSOR_MAX_CHARS = 400;
/**
 * created_at as both engines print it (CAST(created_at AS TEXT)):
 * "2026-12-02 19:28:08.256+00". Checked field by field so the CAST back in
 * SQL can never fail ("2026-02-31" passes a pattern but not this).
 */
const TIMESTAMP_KEY =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

function isTimestampKey(key: string): boolean {
  const m = TIMESTAMP_KEY.exec(key);
  if (!m) return false;
  const n = (i: number) => Number(m[i] ?? 0);
  const date = new Date(Date.UTC(n(1), n(2) - 1, n(3)));
  return (
    n(1) >= 1970 &&
    date.getUTCFullYear() === n(1) &&
    date.getUTCMonth() === n(2) - 1 &&
    date.getUTCDate() === n(3) &&
    n(4) <= 23 &&
    n(5) <= 59 &&
    n(6) <= 59 &&
    n(7) <= 15 &&
    n(8) <= 59 &&
    n(9) <= 59
  );
}

export function encodeCursor(cursor: AuditCursor): string {
  const d = cursor.direction === "older" ? "o" : "n";
  return base64url(Buffer.from(JSON.stringify({ d, k: cursor.key, i: cursor.id })));
}

/** The cursor, or undefined when it is malformed or tampered with. */
export function decodeCursor(raw: string): AuditCursor | undefined {
  if (raw.length > CURSOR_MAX_CHARS || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(fromBase64url(raw)).toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { d, k, i } = value as Record<string, unknown>;
  if ((d !== "o" && d !== "n") || typeof k !== "string" || typeof i !== "string") return undefined;
  if (i.length === 0 || i.length > 100 || /\p{Cc}/u.test(i)) return undefined;
  if (!isTimestampKey(k)) return undefined;
  return { direction: d === "o" ? "older" : "newer", key: k, id: i };
}
