import type { User } from "../../users/user.js";
import { sameAddress } from "../link-request.js";
import type { Identity } from "./identities.js";
import type { ProviderProfile } from "./types.js";

/**
 * The account-linking rules, as pure decisions (service.ts does the
 * writes). The threat they answer: a provider account is only as
 * trustworthy as what the provider checked. Anyone can open a provider
 * account with someone else's address and, at some providers, without
 * verifying it; or register here first with a victim's address and wait
 * for the victim to arrive through a provider (pre-hijacking). So:
 *
 * 1. An account is found by (provider, subject), never by email alone.
 * 2. An unknown subject joins an existing account by email only when BOTH
 *    sides proved the address: the provider says it verified it, and the
 *    local account has a verified address (OAUTH_AUTO_LINK_VERIFIED_EMAIL).
 *    Otherwise the person is told to sign in with their password and link
 *    from settings, where they prove they own the account first.
 * 3. A new account is created only for an address no account has.
 */
export type SignInDecision =
  /** Known identity: sign in (after marking the address verified when the provider now proves it). */
  | { kind: "sign_in"; user: User; identity: Identity; markVerified: boolean }
  /** Unknown identity, both addresses verified: link to that account, then sign in. */
  | { kind: "auto_link"; user: User }
  /** No account has this address: create one (without a password). */
  | { kind: "create"; email: string; emailVerified: boolean }
  /** Known identity, address unconfirmed and REQUIRE_EMAIL_VERIFICATION: no session. */
  | { kind: "verify_email"; user: User }
  /** An account has this address, but not both sides are verified: no link, no session. */
  | { kind: "link_required"; user: User }
  | { kind: "refuse"; reason: RefusalReason; user?: User };

export type RefusalReason =
  | "deactivated"
  | "no_email"
  | "provider_already_linked"
  | "identity_taken"
  | "session_changed";

export interface SignInFacts {
  profile: ProviderProfile;
  /** The identity with this (provider, subject), if any, and its account. */
  identity: Identity | undefined;
  identityUser: User | undefined;
  /** The account whose address equals the provider's (case-insensitive), if any. */
  emailUser: User | undefined;
  /** Whether emailUser already has an identity at this provider (another subject). */
  emailUserHasProvider: boolean;
  autoLinkVerifiedEmail: boolean;
  requireEmailVerification: boolean;
}

export function decideSignIn(facts: SignInFacts): SignInDecision {
  const { profile, identity, identityUser, emailUser } = facts;
  if (identity && identityUser) {
    if (identityUser.status !== "active") {
      return { kind: "refuse", reason: "deactivated", user: identityUser };
    }
    const unverified = identityUser.emailVerifiedAt === null;
    // The provider proving the account's own address is as good as our mailed link.
    const markVerified =
      unverified && profile.emailVerified && sameAddress(profile.email, identityUser.email);
    if (unverified && !markVerified && facts.requireEmailVerification) {
      return { kind: "verify_email", user: identityUser };
    }
    return { kind: "sign_in", user: identityUser, identity, markVerified };
  }
  if (profile.email === null) return { kind: "refuse", reason: "no_email" };
  if (!emailUser) {
    return { kind: "create", email: profile.email, emailVerified: profile.emailVerified };
  }
  const bothVerified = profile.emailVerified && emailUser.emailVerifiedAt !== null;
  if (!facts.autoLinkVerifiedEmail || !bothVerified)
    return { kind: "link_required", user: emailUser };
  if (emailUser.status !== "active")
    return { kind: "refuse", reason: "deactivated", user: emailUser };
  // One identity per provider per account: a second GitHub account is linked by hand, after unlinking.
  if (facts.emailUserHasProvider) {
    return { kind: "refuse", reason: "provider_already_linked", user: emailUser };
  }
  return { kind: "auto_link", user: emailUser };
}

export type LinkDecision =
  | { kind: "link" }
  | { kind: "already_linked"; identity: Identity }
  | { kind: "refuse"; reason: RefusalReason };

/**
 * Linking from settings, for the signed-in account that started the flow.
 * An identity linked to ANOTHER account is refused, never moved: moving it
 * would let whoever controls one account silently take a sign-in method
 * away from (or into) another.
 */
export function decideLink(facts: {
  userId: string;
  identity: Identity | undefined;
  userHasProvider: boolean;
}): LinkDecision {
  if (facts.identity) {
    return facts.identity.userId === facts.userId
      ? { kind: "already_linked", identity: facts.identity }
      : { kind: "refuse", reason: "identity_taken" };
  }
  if (facts.userHasProvider) return { kind: "refuse", reason: "provider_already_linked" };
  return { kind: "link" };
}

/**
 * Unlinking must leave a way in: a password, another identity, or a passkey.
 * (A verified address alone is not one: it only leads to a password reset,
 * which the refusal message points to.)
 */
export function canUnlink(
  user: Pick<User, "passwordHash">,
  identityCount: number,
  hasPasskey = false,
): boolean {
  return user.passwordHash !== null || identityCount > 1 || hasPasskey;
}
