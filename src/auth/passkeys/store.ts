import type { Queryable } from "../../db/db.js";

/** Queries over the passkeys table (migration 0017). */
export interface Passkey {
  id: string;
  userId: string;
  /** The authenticator's credential id, base64url. */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  signCount: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  aaguid: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A user may hold at most this many: enough for every device, few enough to list on one page. */
export const MAX_PASSKEYS_PER_USER = 10;
export const PASSKEY_NAME_MAX = 64;

interface PasskeyRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  sign_count: number | string;
  transports: string;
  backup_eligible: boolean;
  backed_up: boolean;
  aaguid: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const COLUMNS =
  "id, user_id, credential_id, public_key, sign_count, transports, backup_eligible, backed_up, aaguid, name, created_at, last_used_at";

function fromRow(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: row.transports === "" ? [] : row.transports.split(","),
    backupEligible: row.backup_eligible,
    backedUp: row.backed_up,
    aaguid: row.aaguid,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

/** The user's passkeys, oldest first (the order they were added in). */
export async function listPasskeys(q: Queryable, userId: string): Promise<Passkey[]> {
  const rows = await q.query<PasskeyRow>(
    `SELECT ${COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows.map(fromRow);
}

export async function countPasskeys(q: Queryable, userId: string): Promise<number> {
  const row = await q.one<{ n: number | string }>(
    "SELECT count(*) AS n FROM passkeys WHERE user_id = $1",
    [userId],
  );
  return Number(row?.n ?? 0);
}

export { hasPasskey } from "../passkey-presence.js";

export async function findPasskeyByCredentialId(
  q: Queryable,
  credentialId: string,
): Promise<Passkey | undefined> {
  const row = await q.one<PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE credential_id = $1`, [
    credentialId,
  ]);
  return row ? fromRow(row) : undefined;
}

/** One of the user's passkeys by our id; another user's id finds nothing. */
export async function findUserPasskey(
  q: Queryable,
  input: { userId: string; id: string },
): Promise<Passkey | undefined> {
  const row = await q.one<PasskeyRow>(
    `SELECT ${COLUMNS} FROM passkeys WHERE id = $1 AND user_id = $2`,
    [input.id, input.userId],
  );
  return row ? fromRow(row) : undefined;
}

export async function insertPasskey(q: Queryable, passkey: Passkey): Promise<void> {
  await q.execute(
    `INSERT INTO passkeys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      passkey.id,
      passkey.userId,
      passkey.credentialId,
      passkey.publicKey,
      passkey.signCount,
      passkey.transports.join(","),
      passkey.backupEligible,
      passkey.backedUp,
      passkey.aaguid,
      passkey.name,
      passkey.createdAt,
      passkey.lastUsedAt,
    ],
  );
}

/**
 * Records a verified use: the new counter, the backup state, the time.
 * Guarded on the counter read before verification, so of two concurrent
 * assertions carrying the same counter only one moves it (the other is a
 * replay or a clone and is refused).
 */
export async function recordPasskeyUse(
  q: Queryable,
  input: { id: string; fromCount: number; toCount: number; backedUp: boolean; at: Date },
): Promise<boolean> {
  const n = await q.execute(
    "UPDATE passkeys SET sign_count = $1, backed_up = $2, last_used_at = $3 WHERE id = $4 AND sign_count = $5",
    [input.toCount, input.backedUp, input.at, input.id, input.fromCount],
  );
  return n === 1;
}

export async function renamePasskey(
  q: Queryable,
  input: { userId: string; id: string; name: string },
): Promise<boolean> {
  const n = await q.execute("UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3", [
    input.name,
    input.id,
    input.userId,
  ]);
  return n === 1;
}

export async function deletePasskey(
  q: Queryable,
  input: { userId: string; id: string },
): Promise<boolean> {
  const n = await q.execute("DELETE FROM passkeys WHERE id = $1 AND user_id = $2", [
    input.id,
    input.userId,
  ]);
  return n === 1;
}
