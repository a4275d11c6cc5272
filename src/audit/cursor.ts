import { decodeKeysetCursor, encodeKeysetCursor, isTimestampKey } from "../lib/keyset-cursor.js";

/** Where a page starts: strictly older (or newer) than the event with this time and id. */
export interface AuditCursor {
  direction: "older" | "newer";
  /** created_at as the database prints it (full precision). */
  key: string;
  id: string;
}

const CURSOR_MAX_CHARS = 400;

export function encodeCursor(cursor: AuditCursor): string {
  const d = cursor.direction === "older" ? "o" : "n";
  return encodeKeysetCursor({ d, k: cursor.key, i: cursor.id });
}

/** The cursor, or undefined when it is malformed or tampered with. */
export function decodeCursor(raw: string): AuditCursor | undefined {
  const value = decodeKeysetCursor(raw, CURSOR_MAX_CHARS);
  if (!value) return undefined;
  const { d, k, i } = value;
  if ((d !== "o" && d !== "n") || typeof k !== "string" || typeof i !== "string") return undefined;
  if (i.length === 0 || i.length > 100 || /\p{Cc}/u.test(i)) return undefined;
  // created_at as both engines print it (CAST(created_at AS TEXT)); no event predates 1970.
  if (!isTimestampKey(k, { minYear: 1970 })) return undefined;
  return { direction: d === "o" ? "older" : "newer", key: k, id: i };
}
