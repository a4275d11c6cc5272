import type { Queryable } from "../db/db.js";
import type { Random } from "../lib/random.js";
import type { UserRows } from "../users/user-rows.js";
import type { AuditRecorder } from "./audit.js";

/**
 * What deleting a user does to the audit trail: its rows are anonymised, not
 * deleted.
 *
 * Trade-off: the audit trail is evidence (who was locked out when, from
 * which address; what an admin did), and deleting a user must not erase
 * other people's history or let an attacker who compromised an account wipe
 * its tracks by deleting it. But the deleted person's identifiers must go
 * (erasure; and the test scanning every table for them). So:
 * - actor_id/target_id become one random pseudonym per deletion
 *   ("deleted:<uuid>"): events of that account still group together for an
 *   investigation, yet nothing links the pseudonym back to the person;
 * - details that mention the id or the address are replaced by a marker;
 * - type, outcome, time, ip and user agent stay: they are what makes the
 *   trail useful (e.g. spotting the attacker's network) and name no account.
 *
 * The hash chain (chain.ts) survives this: it covers these three fields
 * through `subject_digest`, taken at write time and left alone here. Each
 * rewritten row is marked `erased` with the deletion's pseudonym (the first
 * deletion's, when a later one rewrites it again), and the deletion records
 * `user_erased` (target: the pseudonym, details: how many rows) in the same
 * transaction, so `audit verify` can tell an erasure from a hand-made change:
 * every erased mark must belong to a recorded erasure, and no erasure may
 * claim more marks than it made.
 */
export function auditRowsOfUser(deps: { random: Random; audit: AuditRecorder }): UserRows {
  return {
    table: "audit_events",
    async erase(tx: Queryable, user) {
      const pseudonym = `deleted:${deps.random.uuid()}`;
      // position() rather than LIKE: an email's "_" or "%" must not act as a wildcard.
      const inDetails = `position($1 IN CAST(details AS TEXT)) > 0
            OR position(lower($2) IN lower(CAST(details AS TEXT))) > 0`;
      const marked = await tx.execute(
        `UPDATE audit_events SET erased = $3
         WHERE erased IS NULL AND (actor_id = $1 OR target_id = $1 OR ${inDetails})`,
        [user.id, user.email, pseudonym],
      );
      await tx.execute(
        `UPDATE audit_events SET
           actor_id = CASE WHEN actor_id = $1 THEN $2 ELSE actor_id END,
           target_id = CASE WHEN target_id = $1 THEN $2 ELSE target_id END
         WHERE actor_id = $1 OR target_id = $1`,
        [user.id, pseudonym],
      );
      await tx.execute(`UPDATE audit_events SET details = $3 WHERE ${inDetails}`, [
        user.id,
        user.email,
        JSON.stringify({ redacted: "user deleted", subject: pseudonym }),
      ]);
      await deps.audit.record(
        {
          type: "user_erased",
          outcome: "success",
          actorId: null,
          targetId: pseudonym,
          details: { rows: marked },
        },
        tx,
      );
    },
  };
}
