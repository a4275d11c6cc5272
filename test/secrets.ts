import type { Db } from "../src/db/db.js";

/**
 * "details never hold secrets", checked on every test app's audit rows when
 * the harness closes it (harness.ts): over the whole suite that is every
 * flow on both engines. A row fails when a value, anywhere in its columns or
 * details, contains
 * - a secret a fixture handled (registerTestSecret: passwords, TOTP keys and
 *   codes, backup codes), or
 * - something shaped like one: a 43-character base64url token (session,
 *   reset, verification, unlock and OAuth state tokens are 32 random bytes),
 *   an argon2 hash, a bearer credential, a cookie header, a backup code.
 *
 * The registry is per worker (module state, test code only): fixtures add to
 * it as they go, and a value registered once is checked in every later app.
 */
const registered = new Set<string>();

/** Values shorter than this (6-digit TOTP codes) match only a whole value, never a substring. */
const SUBSTRING_MIN = 8;

export function registerTestSecret(...values: readonly string[]): void {
  for (const value of values) if (value.length >= 4) registered.add(value);
}

const SHAPES: ReadonlyArray<readonly [string, RegExp]> = [
  ["a 43-character base64url token", /(?:^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/],
  ["an argon2 hash", /\$argon2/i],
  ["a bearer credential", /\bBearer\s+\S/i],
  ["a cookie header", /(?:^|[\s;])(?:__Host-)?(?:session|csrf|pending_2fa)=[^\s;]{8,}/i],
  ["a backup code", /\b[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\b/],
];

/** Why `value` looks secret, or undefined. */
export function secretIn(value: string): string | undefined {
  for (const secret of registered) {
    if (secret.length >= SUBSTRING_MIN ? value.includes(secret) : value === secret) {
      return `a secret a fixture handled (${secret.slice(0, 3)}…)`;
    }
  }
  for (const [name, shape] of SHAPES) if (shape.test(value)) return name;
  return undefined;
}

/** Every string (and number, as text) in a details value, with its key path. */
function* leaves(value: unknown, path: string): Generator<[string, string]> {
  if (value === null || value === undefined) return;
  if (typeof value === "string") yield [path, value];
  else if (typeof value === "number" || typeof value === "boolean") yield [path, String(value)];
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* leaves(item, `${path}[${i}]`);
  } else if (typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      // A key can carry a secret as well as a value can.
      yield [`${path}{key}`, key];
      yield* leaves(item, `${path}.${key}`);
    }
  }
}

interface ScannedRow extends Record<string, unknown> {
  id: string;
  type: string;
  details: unknown;
}

const COLUMNS = ["actor_id", "target_id", "ip", "user_agent", "request_id"] as const;

/** The findings in one app's audit rows: "<type> <row id> <where>: <why>". */
export async function auditSecretFindings(db: Db): Promise<string[]> {
  // Rows the app recorded (seq set by the recorder); rows a test seeded by hand in
  // bulk are its own fixtures. Bounded, so a test seeding by the million stays cheap.
  const rows = await db.query<ScannedRow>(
    `SELECT id, type, ${COLUMNS.join(", ")}, details FROM audit_events
      WHERE seq IS NOT NULL ORDER BY seq LIMIT 50000`,
  );
  const findings: string[] = [];
  for (const row of rows) {
    const details = typeof row.details === "string" ? JSON.parse(row.details) : row.details;
    const values: Array<[string, string]> = [...leaves(details, "details")];
    for (const column of COLUMNS) {
      const value = row[column];
      if (typeof value === "string") values.push([column, value]);
    }
    for (const [where, value] of values) {
      const why = secretIn(value);
      if (why) findings.push(`${row.type} (row ${row.id}) ${where}: ${why}`);
    }
  }
  return findings;
}

/**
 * Run by every test app's close. Throws, naming the row's type and key, when
 * an audit row holds a secret. Skipped when the database is gone already
 * (a test that closed or broke it on purpose).
 */
export async function assertNoSecretsInAudit(db: Db): Promise<void> {
  let findings: string[];
  try {
    findings = await auditSecretFindings(db);
  } catch {
    return;
  }
  if (findings.length > 0) {
    throw new Error(`audit rows hold secrets:\n  ${findings.slice(0, 10).join("\n  ")}`);
  }
}
