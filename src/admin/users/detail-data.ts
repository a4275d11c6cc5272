import type { AuditEvent } from "../../audit/audit.js";
import { listIdentities } from "../../auth/oauth/identities.js";
import { configuredProviders } from "../../auth/oauth/providers.js";
import { listPasskeys, type Passkey } from "../../auth/passkeys/store.js";
import { type TwoFactorStatus, twoFactorStatus } from "../../auth/two-factor/manage.js";
import type { Deps } from "../../deps.js";
import type { Session } from "../../sessions/types.js";
import type { LockoutStatus } from "../../users/lockout.js";
import { displayName, type User } from "../../users/user.js";

/**
 * Everything /admin/users/:id shows about one account, fetched by the
 * handler so the views stay pure. Also what the confirm pages read to say
 * what an action will do to this account in its current state.
 */
export interface UserDetail {
  user: User;
  lockout: LockoutStatus;
  twoFactor: TwoFactorStatus;
  providers: LinkedProvider[];
  /** Live sessions, most recent activity first. */
  sessions: Session[];
  /** Registered passkeys, oldest first (src/auth/passkeys). */
  passkeys: Passkey[];
  /** The account's recent audit events, as actor or as target, newest first. */
  events: AuditEvent[];
  /** Display names of the other accounts those events name (admins who acted on this one). */
  actors: ReadonlyMap<string, ActorName>;
}

export interface LinkedProvider {
  label: string;
  email: string | null;
  linkedAt: Date;
  lastUsedAt: Date | null;
}

export interface ActorName {
  name: string;
  email: string;
}

/** The user's page in the console; every action path hangs off it. */
export const userPath = (id: string) => `/admin/users/${id}`;

/** How many audit events the page lists: the recent story, not the whole log. */
export const RECENT_EVENTS = 20;

/**
 * User ids are UUIDs the app generated (src/lib/random.ts). Anything else
 * (too long, unicode, "../", "%00") cannot name an account: it is answered
 * 404 before any query, so no odd value reaches the database.
 */
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUserId(value: string): boolean {
  return USER_ID.test(value);
}

/** Session ids are SHA-256 hex of the cookie token (src/sessions/types.ts). */
const SESSION_ID = /^[0-9a-f]{64}$/;

export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/** The account, or undefined for a malformed or unknown id. */
export async function findUserForAdmin(
  deps: Pick<Deps, "users">,
  id: string,
): Promise<User | undefined> {
  return isUserId(id) ? deps.users.findById(id) : undefined;
}

export async function loadUserDetail(deps: Deps, id: string): Promise<UserDetail | undefined> {
  const user = await findUserForAdmin(deps, id);
  if (!user) return undefined;
  const [lockout, twoFactor, identities, sessions, events, passkeys] = await Promise.all([
    deps.lockouts.status(user.email),
    twoFactorStatus(deps, user.id),
    listIdentities(deps.db, user.id),
    deps.sessions.listForUser(user.id),
    deps.audit.list({ involving: user.id, limit: RECENT_EVENTS }),
    listPasskeys(deps.db, user.id),
  ]);
  const labels = new Map(configuredProviders(deps.config).map((p) => [p.id, p.label]));
  const providers = identities.map((identity) => ({
    // A provider removed from the configuration keeps its row: still name it.
    label: labels.get(identity.provider) ?? identity.provider,
    email: identity.email,
    linkedAt: identity.createdAt,
    lastUsedAt: identity.lastUsedAt,
  }));
  return {
    user,
    lockout,
    twoFactor,
    providers,
    sessions,
    passkeys,
    events,
    actors: await actorNames(deps, user, events),
  };
}

/** Names for the other accounts in the events (an admin who acted); gone accounts are left out. */
async function actorNames(
  deps: Pick<Deps, "users">,
  user: User,
  events: readonly AuditEvent[],
): Promise<Map<string, ActorName>> {
  const ids = new Set<string>();
  for (const event of events) {
    for (const id of [event.actorId, event.targetId]) {
      if (id && id !== user.id && isUserId(id)) ids.add(id);
    }
  }
  const names = new Map<string, ActorName>();
  for (const id of ids) {
    const other = await deps.users.findById(id);
    if (other) names.set(id, { name: displayName(other), email: other.email });
  }
  return names;
}
