import type { AuditInput, RequestAuditRecorder } from "../../audit/audit.js";
import type { TypedAuditDetails } from "../../audit/details.js";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import type { User } from "../../users/user.js";
import type { ActionRefusal, ActionResult, AdminActor } from "./types.js";

/** What the account actions touch; features name Deps only as a type. */
export type AdminDeps = Pick<
  Deps,
  | "config"
  | "db"
  | "clock"
  | "random"
  | "users"
  | "sessions"
  | "lockouts"
  | "tokens"
  | "outbox"
  | "audit"
  | "passwords"
  | "passwordPolicy"
  | "rateLimiter"
>;

/** The account's owner deleting it themself (/account/delete). */
export type SelfActor = { kind: "self"; user: User; audit: RequestAuditRecorder };

/** Anyone who can cause an account change through this service. */
export type AnyActor = AdminActor | SelfActor | { kind: "setup" };

/** `details.via` of every record written here: which door the change came through. */
export type Via = "admin" | "cli" | "self" | "setup";

export function viaOf(actor: AnyActor): Via {
  return actor.kind;
}

/**
 * Writes the action's audit record in its transaction. The console's admin
 * (or the owner) is named as actor with the request's ip and user agent; the
 * CLI as "cli" (a shell has no request); first-run setup names nobody yet.
 */
export function recordAs(
  deps: Pick<AdminDeps, "audit">,
  actor: AnyActor,
  input: TypedAuditDetails & { targetId?: string | null },
  tx: Queryable,
): Promise<unknown> {
  // Every operator record's shape allows `via` (details.ts); the compiler cannot
  // follow a spread across the union of types, hence the one assertion.
  const details = { ...input.details, via: viaOf(actor) };
  const base = { ...input, outcome: "success" as const, details } as AuditInput;
  switch (actor.kind) {
    case "admin":
    case "self":
      return actor.audit.record({ ...base, actorId: actor.user.id }, tx);
    case "cli":
      return deps.audit.record({ ...base, actorId: "cli" }, tx);
    case "setup":
      return deps.audit.record({ ...base, actorId: null }, tx);
  }
}

export type Refused = Extract<ActionResult, { ok: false }>;

export function refuse(refusal: ActionRefusal, message: string): Refused {
  return { ok: false, refusal, message };
}

export const NOT_FOUND = refuse("not_found", "No such user.");

/** An id as the console or the CLI hands it over; anything else is "no such user", never a 500. */
const MAX_ID_CHARS = 128;
export function plausibleId(id: unknown): id is string {
  return typeof id === "string" && id.length > 0 && id.length <= MAX_ID_CHARS;
}
