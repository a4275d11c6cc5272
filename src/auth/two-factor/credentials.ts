import type { Queryable, SqlValue } from "../../db/db.js";

/**
 * Queries over two_factor_credentials. One row per user: an enrolment in
 * progress (enabledAt null, pendingExpiresAt set) or 2FA switched on.
 * The secret is only ever handled here as ciphertext (see secret-box.ts).
 */
export interface TwoFactorCredential {
  userId: string;
  secretCiphertext: string;
  keyId: string;
  enabledAt: Date | null;
  pendingExpiresAt: Date | null;
  lastUsedStep: number | null;
}

interface CredentialRow extends Record<string, unknown> {
  user_id: string;
  secret_ciphertext: string;
  key_id: string;
  enabled_at: Date | null;
  pending_expires_at: Date | null;
  last_used_step: number | string | null;
}

const COLUMNS =
  "user_id, secret_ciphertext, key_id, enabled_at, pending_expires_at, last_used_step";

function fromRow(row: CredentialRow): TwoFactorCredential {
  return {
    userId: row.user_id,
    secretCiphertext: row.secret_ciphertext,
    keyId: row.key_id,
    enabledAt: row.enabled_at,
    pendingExpiresAt: row.pending_expires_at,
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
  };
}

export async function findCredential(
  q: Queryable,
  userId: string,
): Promise<TwoFactorCredential | undefined> {
  const row = await q.one<CredentialRow>(
    `SELECT ${COLUMNS} FROM two_factor_credentials WHERE user_id = $1`,
    [userId],
  );
  return row ? fromRow(row) : undefined;
}

/** The credential of a user with 2FA switched on, or undefined. */
export async function findEnabledCredential(
  q: Queryable,
  userId: string,
): Promise<TwoFactorCredential | undefined> {
  const credential = await findCredential(q, userId);
  return credential?.enabledAt ? credential : undefined;
}

export async function isTwoFactorEnabled(q: Queryable, userId: string): Promise<boolean> {
  return (await findEnabledCredential(q, userId)) !== undefined;
}

/** A TOTP step used by an account at a time: the code that enabled 2FA, or one that signed in. */
type StepUse = { userId: string; step: number; now: Date };

/**
 * Runs a guarded write (its WHERE says when it may apply): true when it
 * changed exactly one row, so of N concurrent callers only one wins.
 */
async function changedOneRow(
  q: Queryable,
  sql: string,
  params: readonly SqlValue[],
): Promise<boolean> {
  return (await q.execute(sql, params)) === 1;
}

/**
 * Stores (or replaces) an enrolment in progress. Refuses to touch a row that
 * is already enabled: re-enrolling means turning 2FA off first (sudo + code).
 */
export async function savePendingEnrolment(
  q: Queryable,
  input: { userId: string; secretCiphertext: string; keyId: string; expiresAt: Date; now: Date },
): Promise<boolean> {
  return changedOneRow(
    q,
    `INSERT INTO two_factor_credentials (${COLUMNS}, created_at, updated_at)
     VALUES ($1, $2, $3, NULL, $4, NULL, $5, $5)
     ON CONFLICT (user_id) DO UPDATE SET
       secret_ciphertext = excluded.secret_ciphertext, key_id = excluded.key_id,
       pending_expires_at = excluded.pending_expires_at, updated_at = excluded.updated_at
     WHERE two_factor_credentials.enabled_at IS NULL`,
    [input.userId, input.secretCiphertext, input.keyId, input.expiresAt, input.now],
  );
}

/**
 * Turns an enrolment on, recording the step of the code that proved it (so
 * that very code cannot sign in later). Guarded: only a live, not yet
 * enabled enrolment; true for exactly one of N concurrent confirmations.
 */
export async function enableCredential(q: Queryable, input: StepUse): Promise<boolean> {
  return changedOneRow(
    q,
    `UPDATE two_factor_credentials
     SET enabled_at = $2, pending_expires_at = NULL, last_used_step = $3, updated_at = $2
     WHERE user_id = $1 AND enabled_at IS NULL AND pending_expires_at > $2`,
    [input.userId, input.now, input.step],
  );
}

/**
 * Replay guard: claims TOTP time step `step` for the account. Succeeds only
 * if no code of this step or a later one was accepted before, so a code
 * works once, whichever challenge (or browser) it is submitted to. Runs in
 * the transaction that creates the session: both happen or neither.
 */
export async function claimTimeStep(q: Queryable, input: StepUse): Promise<boolean> {
  return changedOneRow(
    q,
    `UPDATE two_factor_credentials SET last_used_step = $2, updated_at = $3
     WHERE user_id = $1 AND enabled_at IS NOT NULL
       AND (last_used_step IS NULL OR last_used_step < $2)`,
    [input.userId, input.step, input.now],
  );
}

/** Turns 2FA off: the credential and every backup code go. */
export async function deleteCredential(q: Queryable, userId: string): Promise<void> {
  await q.execute("DELETE FROM two_factor_backup_codes WHERE user_id = $1", [userId]);
  await q.execute("DELETE FROM two_factor_credentials WHERE user_id = $1", [userId]);
}
