import type { Queryable } from "../db/db.js";

/**
 * Whether a user has registered a passkey: the one fact about passkeys that
 * the 2FA step, /auth/confirm and the admin 2FA policy need. At the root of
 * auth/ so they can ask without importing passkeys/ (which builds on them).
 */
export async function hasPasskey(q: Queryable, userId: string): Promise<boolean> {
  const row = await q.one<{ n: number | string }>(
    "SELECT count(*) AS n FROM passkeys WHERE user_id = $1",
    [userId],
  );
  return Number(row?.n ?? 0) > 0;
}
