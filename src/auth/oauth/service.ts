import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import type { User } from "../../users/user.js";
import { hasPasskey } from "../passkey-presence.js";
import { issueVerification } from "../verify/service.js";
import {
  deleteIdentity,
  findIdentity,
  insertIdentity,
  listIdentities,
  touchIdentity,
} from "./identities.js";
import { canUnlink, decideLink, decideSignIn, type RefusalReason } from "./linking.js";
import type { TokenStore } from "./token-store.js";
import type { ProviderId, ProviderResult } from "./types.js";

type ServiceDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "random" | "users" | "tokens" | "outbox"
> & { tokenStore: TokenStore };

export type SignInOutcome =
  | { kind: "signed_in"; user: User; created: boolean; autoLinked: boolean }
  | { kind: "verify_email"; user: User; created: boolean }
  | { kind: "link_required"; user: User }
  | { kind: "refused"; reason: RefusalReason | "conflict"; user?: User };

export type LinkOutcome =
  | { kind: "linked" }
  | { kind: "already_linked" }
  | { kind: "refused"; reason: RefusalReason | "conflict" };

export type UnlinkOutcome = { kind: "unlinked" } | { kind: "not_linked" } | { kind: "last_method" };

/** Thrown inside a transaction to roll it back when a concurrent flow won a unique index. */
class LostRace extends Error {}

interface Input {
  provider: ProviderId;
  result: ProviderResult;
}

async function addIdentity(
  deps: ServiceDeps,
  tx: Queryable,
  userId: string,
  { provider, result }: Input,
): Promise<void> {
  const id = deps.random.uuid();
  const inserted = await insertIdentity(tx, {
    id,
    userId,
    provider,
    subject: result.profile.subject,
    email: result.profile.email,
    emailVerified: result.profile.emailVerified,
    now: deps.clock.now(),
    tokens: deps.tokenStore.seal(id, result.tokens),
  });
  if (!inserted) throw new LostRace();
}

/**
 * Not signed in: applies decideSignIn in ONE transaction, so the facts it
 * decided on cannot change before the writes (two callbacks for the same
 * new subject: one creates, the other loses the unique index and is told to
 * try again, and no second account appears).
 */
export async function signInWithProvider(deps: ServiceDeps, input: Input): Promise<SignInOutcome> {
  const { profile } = input.result;
  const { config, users } = deps;
  try {
    return await deps.db.transaction(async (tx): Promise<SignInOutcome> => {
      const identity = await findIdentity(tx, input.provider, profile.subject);
      const identityUser = identity ? await users.findById(identity.userId, tx) : undefined;
      const emailUser =
        !identity && profile.email !== null
          ? await users.findByEmail(profile.email, tx)
          : undefined;
      const emailUserHasProvider = emailUser
        ? (await listIdentities(tx, emailUser.id)).some((i) => i.provider === input.provider)
        : false;
      const decision = decideSignIn({
        profile,
        identity,
        identityUser,
        emailUser,
        emailUserHasProvider,
        autoLinkVerifiedEmail: config.oauth.autoLinkVerifiedEmail,
        requireEmailVerification: config.security.requireEmailVerification,
      });
      const now = deps.clock.now();
      switch (decision.kind) {
        case "sign_in": {
          await touchIdentity(tx, decision.identity.id, {
            email: profile.email,
            emailVerified: profile.emailVerified,
            now,
            tokens: deps.tokenStore.seal(decision.identity.id, input.result.tokens),
          });
          if (!decision.markVerified) {
            return { kind: "signed_in", user: decision.user, created: false, autoLinked: false };
          }
          await users.markEmailVerified(decision.user.id, now, tx);
          const user = { ...decision.user, emailVerifiedAt: now };
          return { kind: "signed_in", user, created: false, autoLinked: false };
        }
        case "auto_link":
          await addIdentity(deps, tx, decision.user.id, input);
          return { kind: "signed_in", user: decision.user, created: false, autoLinked: true };
        case "create": {
          const created = await users.create(
            {
              email: decision.email,
              firstName: profile.firstName,
              lastName: profile.lastName,
              // No password: this account signs in through the provider until its owner sets one.
              passwordHash: null,
              emailVerifiedAt: decision.emailVerified ? now : null,
            },
            tx,
          );
          // PostgreSQL has aborted the transaction after the unique violation: roll it back.
          if (!created.ok) throw new LostRace();
          await addIdentity(deps, tx, created.user.id, input);
          if (decision.emailVerified) {
            return { kind: "signed_in", user: created.user, created: true, autoLinked: false };
          }
          // The same confirmation link a password registration gets, in the same transaction.
          await issueVerification(deps, tx, created.user);
          return config.security.requireEmailVerification
            ? { kind: "verify_email", user: created.user, created: true }
            : { kind: "signed_in", user: created.user, created: true, autoLinked: false };
        }
        case "verify_email":
          return { kind: "verify_email", user: decision.user, created: false };
        case "link_required":
          return { kind: "link_required", user: decision.user };
        case "refuse":
          return { kind: "refused", reason: decision.reason, user: decision.user };
      }
    });
  } catch (error) {
    if (error instanceof LostRace) return { kind: "refused", reason: "conflict" };
    throw error;
  }
}

/** Signed in, from settings: adds the identity to `userId` (see decideLink). */
export async function linkToUser(
  deps: ServiceDeps,
  input: Input & { userId: string },
): Promise<LinkOutcome> {
  try {
    return await deps.db.transaction(async (tx): Promise<LinkOutcome> => {
      const identity = await findIdentity(tx, input.provider, input.result.profile.subject);
      const userHasProvider = (await listIdentities(tx, input.userId)).some(
        (i) => i.provider === input.provider,
      );
      const decision = decideLink({ userId: input.userId, identity, userHasProvider });
      if (decision.kind === "refuse") return { kind: "refused", reason: decision.reason };
      if (decision.kind === "already_linked") {
        await touchIdentity(tx, decision.identity.id, {
          email: input.result.profile.email,
          emailVerified: input.result.profile.emailVerified,
          now: deps.clock.now(),
          tokens: deps.tokenStore.seal(decision.identity.id, input.result.tokens),
        });
        return { kind: "already_linked" };
      }
      await addIdentity(deps, tx, input.userId, input);
      return { kind: "linked" };
    });
  } catch (error) {
    if (error instanceof LostRace) return { kind: "refused", reason: "conflict" };
    throw error;
  }
}

/** Removes the link unless it is the account's last way to sign in (see canUnlink). */
export async function unlinkProvider(
  deps: Pick<Deps, "db" | "users">,
  input: { userId: string; provider: ProviderId },
): Promise<UnlinkOutcome> {
  return deps.db.transaction(async (tx): Promise<UnlinkOutcome> => {
    // PostgreSQL runs READ COMMITTED: two concurrent unlinks of an account's last two
    // identities would each still see the other and both succeed. A no-op update takes
    // the user row's lock first, so they run one after the other (DuckDB has no row
    // locks, but runs one write transaction at a time anyway).
    await tx.execute("UPDATE users SET updated_at = updated_at WHERE id = $1", [input.userId]);
    const identities = await listIdentities(tx, input.userId);
    if (!identities.some((i) => i.provider === input.provider)) return { kind: "not_linked" };
    const user = await deps.users.findById(input.userId, tx);
    const passkey = await hasPasskey(tx, input.userId);
    if (!user || !canUnlink(user, identities.length, passkey)) return { kind: "last_method" };
    await deleteIdentity(tx, input.userId, input.provider);
    return { kind: "unlinked" };
  });
}
