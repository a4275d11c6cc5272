import type { Context } from "hono";
import type { Deps } from "../deps.js";
import type { PolicyName } from "../ratelimit/policies.js";
import { queueLinkMail } from "../tokens/link-mail.js";
import { normalizeEmail } from "../users/queries.js";
import type { User } from "../users/user.js";

type LinkMail = Omit<Parameters<typeof queueLinkMail>[2], "user">;

/** What a link mail's template is given: the app, the name, the token. */
export type LinkMailBase = Parameters<LinkMail["render"]>[0];

type LaterDeps = Pick<Deps, "config" | "db" | "users" | "tokens" | "outbox">;

/** Schedules work after the current response (BackgroundTasks.afterResponse). */
export type AfterResponse = (name: string, task: () => Promise<unknown>) => void;

/**
 * Answers a "mail me a link" request (forgot password, resend verification):
 * when `due` says the account should get one, the link is queued; any other
 * address gets nothing. Returns whether a link is on its way.
 *
 * Enumeration: the token and its mail are written AFTER the response (see
 * jobs/background.ts), in one transaction that re-reads the account, so the
 * answer costs the same whether or not the address has an account. The
 * account may have changed since: `due` is asked again, and a link never goes
 * to an address the account no longer has.
 */
export function mailLinkLater(
  deps: LaterDeps,
  input: {
    /** The background job's name, for its logs. */
    job: string;
    /** Where the job is held until the response exists: the request's afterResponse. */
    later: AfterResponse;
    user: User | undefined;
    due: (user: User | undefined) => user is User;
    link: LinkMail;
  },
): boolean {
  const { user, due } = input;
  if (!due(user)) return false;
  input.later(input.job, async () => {
    const queued = await deps.db.transaction(async (tx) => {
      const current = await deps.users.findById(user.id, tx);
      if (!due(current) || !sameAddress(user.email, current.email)) return false;
      await queueLinkMail(deps, tx, { ...input.link, user: current });
      return true;
    });
    if (queued) deps.outbox.wake();
  });
  return true;
}

/**
 * The part every "mail me a link" form shares once the address parsed: the
 * per-address limit, the request, and the audit record.
 *
 * The limit is keyed by the address as typed and counted whether or not it
 * has an account, so a 429 says nothing about existence; it only stops one
 * inbox being flooded. The audit record is written on every branch: it is the
 * trail of enumeration attempts too.
 */
export async function answerLinkRequest(
  c: Context,
  deps: Pick<Deps, "rateLimiter" | "users" | "audit" | "background">,
  input: {
    email: string;
    limit: PolicyName;
    /** Decides, and schedules with `later` any link to mail after the response. */
    request: (user: User | undefined, later: AfterResponse) => boolean;
    audit: "password_reset_requested" | "verification_resent";
    /** Why a known address got no link, as the audit record says it. */
    skippedKnown: "deactivated" | "not_needed";
  },
): Promise<void> {
  await deps.rateLimiter.enforce(c, input.limit, deps.rateLimiter.accountKey(input.email));
  const user = await deps.users.findByEmail(input.email);
  const due = input.request(user, deps.background.afterResponse(c));
  await deps.audit.forRequest(c).record({
    type: input.audit,
    outcome: due ? "success" : "info",
    targetId: user?.id ?? null,
    details: due ? {} : { skipped: user ? input.skippedKnown : "unknown_email" },
  });
}

/** Whether a token's recorded address is still the account's address (case-insensitively). */
export function sameAddress(recorded: unknown, current: string): boolean {
  return (
    typeof recorded === "string" &&
    normalizeEmail(recorded).toLowerCase() === normalizeEmail(current).toLowerCase()
  );
}
