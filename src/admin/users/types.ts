import type { RequestAuditRecorder } from "../../audit/audit.js";
import type { User, UserRole } from "../../users/user.js";

/**
 * The operator's actions on accounts, one service shared by the admin
 * console (/admin/users/:id/...) and the CLI (`npm run cli -- user ...`), so
 * the guards (last active admin, self-action), the audit record and the
 * user's notice email are written once.
 *
 * Who acts:
 * - `admin`: a signed-in admin through the console. Self-actions that could
 *   lock them out (demote, deactivate, delete themself) are refused; the
 *   audit record names them as actor, with the request's ip and user agent.
 * - `cli`: the operator at the server's shell. May act on any account
 *   (it is how a locked-out operator gets back in); audited with actor "cli".
 * The last active admin guard holds for both.
 */
export type AdminActor =
  | { kind: "admin"; user: User; audit: RequestAuditRecorder }
  | { kind: "cli" };

/** Why an action changed nothing: each has a message the console and the CLI show as is. */
export type ActionRefusal =
  /** No such user (unknown or already deleted), or a session that is not theirs. */
  | "not_found"
  /** The console's admin acting on their own account (demote, deactivate, delete). */
  | "self_action"
  /** It would leave no active admin. */
  | "last_admin"
  /** Already in the requested state (repeat of the same action): nothing to do. */
  | "no_change"
  /** A role outside USER_ROLES (the console answers 422). */
  | "invalid_role"
  /** Delete: the typed address does not match the account's. */
  | "confirmation_mismatch"
  /** The account cannot take this action in its state (e.g. reset link for a deactivated user). */
  | "not_applicable"
  /** Create: the address belongs to an account already (in any case). */
  | "email_taken"
  /** Create: the password fails the policy; the message is the policy's. */
  | "weak_password"
  /** Create: a field is missing, empty or too long; the message names it. */
  | "invalid_input";

export type ActionResult =
  | { ok: true; message: string; user: User | undefined }
  | { ok: false; refusal: ActionRefusal; message: string };

export interface UserAdmin {
  /** Role change; revokes all the user's sessions (new token on privilege change); mails the user. */
  changeRole(actor: AdminActor, userId: string, role: string): Promise<ActionResult>;
  /** Deactivates and revokes every session in the same transaction; mails the user. */
  deactivate(actor: AdminActor, userId: string): Promise<ActionResult>;
  reactivate(actor: AdminActor, userId: string): Promise<ActionResult>;
  /** Clears the sign-in lock and failure count of the user's address. */
  unlock(actor: AdminActor, userId: string): Promise<ActionResult>;
  /** A fresh verification link (unverified, active accounts only). */
  resendVerification(actor: AdminActor, userId: string): Promise<ActionResult>;
  markVerified(actor: AdminActor, userId: string): Promise<ActionResult>;
  /** Mails a single-use password reset link (active accounts only). */
  sendPasswordReset(actor: AdminActor, userId: string): Promise<ActionResult>;
  /** Removes the TOTP credential, backup codes and pending 2FA sign-ins; mails the user. */
  resetTwoFactor(actor: AdminActor, userId: string): Promise<ActionResult>;
  revokeSession(actor: AdminActor, userId: string, sessionId: string): Promise<ActionResult>;
  revokeAllSessions(actor: AdminActor, userId: string): Promise<ActionResult>;
  /**
   * Deletes the account and every per-user row (UsersRepository.deleteUser);
   * `confirmEmail` must match the account's address (trimmed, NFKC, any
   * case). The farewell mail is queued after the rows are gone, addressed to
   * the captured address, with no user id (so it is not itself erased) and
   * forgotten once sent. The same deletion as /account/delete: see
   * deleteAccount in delete-account.ts.
   */
  deleteUser(
    actor: AdminActor,
    userId: string,
    options: { confirmEmail: string },
  ): Promise<ActionResult>;
  /**
   * A verified account (CLI `user create`, /setup), audited as `user_created`.
   * Refusals: invalid_input (the field and the reason), weak_password (the
   * password policy's message), invalid_role, email_taken.
   */
  createUser(
    actor: AdminActor | { kind: "setup" },
    input: { email: string; firstName: string; lastName: string; password: string; role: UserRole },
  ): Promise<ActionResult>;
}
