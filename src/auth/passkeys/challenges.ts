import type { Context } from "hono";
import type { Deps } from "../../deps.js";
import { sha256Hex } from "../../lib/crypto.js";
import { base64url } from "../../lib/encoding.js";

/**
 * The challenge of one WebAuthn ceremony, held server-side.
 *
 * - The challenge itself: 32 bytes from the CSPRNG; the authenticator signs
 *   it, so an answer recorded once can never be played again.
 * - Where it lives: a row keyed by the SHA-256 of a second random token that
 *   only this browser holds (HttpOnly cookie). A challenge minted for one
 *   browser cannot be answered from another (a phisher who relays the
 *   options does not hold the cookie), and a leaked table is no use.
 * - Who it is for: registration and sudo challenges also carry the session
 *   id, second-factor ones the pending sign-in; an answer from any other
 *   session is refused even with the cookie.
 * - Single use: `takeChallenge` deletes the row before the answer is checked,
 *   right or wrong, so a challenge gets exactly one verification.
 * - Lifetime: 5 minutes (the options' timeout says the same to the browser).
 */
export const CHALLENGE_COOKIE = "passkey_challenge";
export const CHALLENGE_TTL_SECONDS = 5 * 60;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type CeremonyPurpose = "register" | "sign_in" | "second_factor" | "sudo";

export interface Challenge {
  purpose: CeremonyPurpose;
  /** base64url, as it appears in clientDataJSON. */
  challenge: string;
  userId: string | null;
  sessionId: string | null;
  pendingId: string | null;
}

type ChallengeDeps = Pick<Deps, "db" | "clock" | "random" | "cookies">;

/**
 * A fresh challenge for this browser, replacing any earlier one (one
 * ceremony at a time per browser). Returns the bytes for the options.
 */
export async function issueChallenge(
  c: Context,
  deps: ChallengeDeps,
  input: Omit<Challenge, "challenge">,
): Promise<Uint8Array> {
  const now = deps.clock.now();
  const previous = deps.cookies.get(c, CHALLENGE_COOKIE);
  if (previous && TOKEN_SHAPE.test(previous)) {
    await deps.db.execute("DELETE FROM passkey_challenges WHERE id = $1", [sha256Hex(previous)]);
  }
  // Sweep: expired rows grant nothing, but need not wait for a cleanup job.
  await deps.db.execute("DELETE FROM passkey_challenges WHERE expires_at <= $1", [now]);
  const bytes = deps.random.bytes(32);
  const token = deps.random.token(32);
  await deps.db.execute(
    `INSERT INTO passkey_challenges (id, purpose, challenge, user_id, session_id, pending_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      sha256Hex(token),
      input.purpose,
      base64url(bytes),
      input.userId,
      input.sessionId,
      input.pendingId,
      now,
      new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
    ],
  );
  deps.cookies.set(c, CHALLENGE_COOKIE, token, { maxAgeSeconds: CHALLENGE_TTL_SECONDS });
  return bytes;
}

/**
 * Takes (deletes and returns) this browser's live challenge for `purpose`,
 * or undefined: no cookie, unknown, expired, already used, or issued for
 * another purpose. The cookie is cleared either way.
 */
export async function takeChallenge(
  c: Context,
  deps: Pick<Deps, "db" | "clock" | "cookies">,
  purpose: CeremonyPurpose,
): Promise<Challenge | undefined> {
  const token = deps.cookies.get(c, CHALLENGE_COOKIE);
  if (token !== undefined) deps.cookies.clear(c, CHALLENGE_COOKIE);
  if (!token || !TOKEN_SHAPE.test(token)) return undefined;
  const rows = await deps.db.query<{
    purpose: string;
    challenge: string;
    user_id: string | null;
    session_id: string | null;
    pending_id: string | null;
    expires_at: Date;
  }>(
    `DELETE FROM passkey_challenges WHERE id = $1
     RETURNING purpose, challenge, user_id, session_id, pending_id, expires_at`,
    [sha256Hex(token)],
  );
  const row = rows[0];
  if (!row || row.purpose !== purpose) return undefined;
  if (row.expires_at.getTime() <= deps.clock.now().getTime()) return undefined;
  return {
    purpose,
    challenge: row.challenge,
    userId: row.user_id,
    sessionId: row.session_id,
    pendingId: row.pending_id,
  };
}
