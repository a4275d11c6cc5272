import type { Queryable } from "../db/db.js";

/**
 * The owner's choice about "new sign-in" emails (users.new_sign_in_notice_off_at,
 * migration 0007). Kept out of the User record on purpose: only the sign-in
 * notice and the account page read it, and a preference is not worth a
 * column in every session lookup.
 */
export async function wantsNewSignInNotice(q: Queryable, userId: string): Promise<boolean> {
  const row = await q.one<{ off_at: Date | null }>(
    "SELECT new_sign_in_notice_off_at AS off_at FROM users WHERE id = $1",
    [userId],
  );
  return row !== undefined && row.off_at === null;
}

/** Turns the notice on or off; `at` records when it was turned off. */
export async function setNewSignInNotice(
  q: Queryable,
  input: { userId: string; on: boolean; at: Date },
): Promise<void> {
  await q.execute(
    "UPDATE users SET new_sign_in_notice_off_at = $1, updated_at = $2 WHERE id = $3",
    [input.on ? null : input.at, input.at, input.userId],
  );
}
