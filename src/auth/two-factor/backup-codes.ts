import { hkdfSync } from "node:crypto";
import { hashRaw } from "@node-rs/argon2";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { timingSafeEqual } from "../../lib/crypto.js";
import { base64url, fromBase64url } from "../../lib/encoding.js";

/**
 * Backup codes: ten one-time codes for when the phone is gone.
 *
 * - Each is 10 characters of Crockford base32 (50 bits from the CSPRNG),
 *   shown as XXXXX-XXXXX. Typing is forgiving: case, spaces and hyphens are
 *   ignored, O reads as 0, I and L as 1.
 * - At rest only argon2id(code, salt, pepper) (ASVS 6.5.2: codes below 112
 *   bits of entropy get a password hash): a 16-byte random salt per set,
 *   so nothing precomputed works across users, and a pepper derived from
 *   SECRET_KEY, so a database dump alone allows no offline guessing at all.
 *   One salt per set means one argon2 run per submitted code, not ten.
 * - Each code is claimed by a guarded UPDATE (`used_at IS NULL`), so of N
 *   concurrent submissions of one code exactly one wins.
 */
export const BACKUP_CODE_COUNT = 10;
const CODE_LENGTH = 10;
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const SALT_BYTES = 16;
// @node-rs/argon2 declares these as `const enum`s, which isolatedModules cannot inline.
const ARGON2ID = 2;

type CodeDeps = Pick<Deps, "config" | "random" | "clock">;

/** XXXXX-XXXXX. 32 symbols = 5 bits per byte taken mod 32: no modulo bias. */
export function generateBackupCodes(random: Deps["random"]): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = [...random.bytes(CODE_LENGTH)].map((b) => ALPHABET[b % 32]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** The canonical form compared at rest, or undefined when it cannot be a backup code. */
export function normalizeBackupCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (code.length !== CODE_LENGTH) return undefined;
  for (const ch of code) if (!ALPHABET.includes(ch)) return undefined;
  return code;
}

async function digest(deps: CodeDeps, code: string, salt: Uint8Array): Promise<string> {
  const pepper = new Uint8Array(
    hkdfSync("sha256", deps.config.secretKey, "bastion/2fa", "backup-code-pepper", 32),
  );
  const raw = await hashRaw(code, {
    algorithm: ARGON2ID,
    memoryCost: deps.config.security.argon2MemoryKib,
    timeCost: deps.config.security.argon2TimeCost,
    parallelism: 1,
    outputLen: 32,
    salt,
    secret: pepper,
  });
  return base64url(raw);
}

/** A set of backup codes as stored: one salt, one digest per code. */
export interface HashedBackupCodes {
  salt: string;
  hashes: string[];
}

/**
 * Hashes a new set. Separate from inserting so the argon2 work (ten runs)
 * happens before the caller opens its transaction, not while holding it.
 */
export async function hashBackupCodes(
  deps: CodeDeps,
  codes: readonly string[],
): Promise<HashedBackupCodes> {
  const salt = deps.random.bytes(SALT_BYTES);
  const hashes = await Promise.all(
    codes.map((code) => digest(deps, normalizeBackupCode(code) ?? code, salt)),
  );
  return { salt: base64url(salt), hashes };
}

/** Replaces the user's backup codes with a hashed set. */
export async function replaceBackupCodes(
  tx: Queryable,
  deps: Pick<Deps, "random" | "clock">,
  input: { userId: string; codes: HashedBackupCodes },
): Promise<void> {
  const now = deps.clock.now();
  await tx.execute("DELETE FROM two_factor_backup_codes WHERE user_id = $1", [input.userId]);
  for (const hash of input.codes.hashes) {
    await tx.execute(
      `INSERT INTO two_factor_backup_codes (id, user_id, salt, code_hash, used_at, created_at)
       VALUES ($1, $2, $3, $4, NULL, $5)`,
      [deps.random.uuid(), input.userId, input.codes.salt, hash, now],
    );
  }
}

/**
 * The id of the unused backup code of `userId` that `input` matches, or
 * undefined. Claiming it is separate (claimBackupCode) so it can join the
 * caller's transaction.
 */
export async function matchBackupCode(
  q: Queryable,
  deps: CodeDeps,
  input: { userId: string; code: string },
): Promise<string | undefined> {
  const code = normalizeBackupCode(input.code);
  if (!code) return undefined;
  const rows = await q.query<{ id: string; salt: string; code_hash: string }>(
    "SELECT id, salt, code_hash FROM two_factor_backup_codes WHERE user_id = $1 AND used_at IS NULL",
    [input.userId],
  );
  const hashes = new Map<string, string>();
  let found: string | undefined;
  for (const row of rows) {
    let hash = hashes.get(row.salt);
    if (hash === undefined) {
      hash = await digest(deps, code, fromBase64url(row.salt));
      hashes.set(row.salt, hash);
    }
    // Every row is compared (no early exit), in constant time.
    if (timingSafeEqual(hash, row.code_hash) && found === undefined) found = row.id;
  }
  return found;
}

/** Marks the code used; true for exactly one of N concurrent claims. */
export async function claimBackupCode(tx: Queryable, codeId: string, now: Date): Promise<boolean> {
  const n = await tx.execute(
    "UPDATE two_factor_backup_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
    [codeId, now],
  );
  return n === 1;
}

export async function countUnusedBackupCodes(q: Queryable, userId: string): Promise<number> {
  const row = await q.one<{ n: number }>(
    "SELECT count(*) AS n FROM two_factor_backup_codes WHERE user_id = $1 AND used_at IS NULL",
    [userId],
  );
  return Number(row?.n ?? 0);
}
