import type { Queryable } from "../../db/db.js";
import { sha256Hex } from "../../lib/crypto.js";

/**
 * Replay guard for callbacks. The flow cookie is cleared on first use, but a
 * replay that brings its own copy of the cookie (a captured request, a
 * double-submitted callback, another instance behind the proxy) would still
 * carry a valid state. Recording each accepted state once, in the database
 * every instance shares, makes a callback single-use everywhere.
 *
 * Only the SHA-256 is stored; rows live until the flow would have expired
 * anyway and are swept on the next claim.
 */
export async function claimState(
  q: Queryable,
  input: { state: string; expiresAt: Date; now: Date },
): Promise<boolean> {
  await q.execute("DELETE FROM oauth_used_states WHERE expires_at < $1", [input.now]);
  const n = await q.execute(
    `INSERT INTO oauth_used_states (state_hash, expires_at) VALUES ($1, $2)
     ON CONFLICT (state_hash) DO NOTHING`,
    [sha256Hex(input.state), input.expiresAt],
  );
  return n === 1;
}
