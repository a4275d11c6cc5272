import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { Deps } from "../../deps.js";
import type { User } from "../../users/user.js";

/**
 * /account/security is a list of sections, each owned by the capability it
 * describes. EXTENSION POINT: a capability adds its section to
 * `securitySections` below (or passes its own list to createSecurityRoutes);
 * the page renders them in order. A section fetches what it shows in
 * `load` (the handler's half) and returns its whole block (usually a
 * <Card>) built from props only; null renders nothing.
 *
 * OAuth: replace the body of `linkedProvidersSection`
 * (linked-providers-section.tsx), e.g. with
 * `<LinkedProvidersSection rows={await loadLinkedProviders(deps, user)} />`.
 */
export interface SecuritySectionContext {
  c: Context;
  deps: Deps;
  user: User;
  /** Whether the session is inside its sudo window (forms needing it may say so up front). */
  sudo: boolean;
}

export interface SecuritySection {
  /** Stable id: the wrapper's HTML id (links like /account/security#two-factor). */
  id: string;
  load(ctx: SecuritySectionContext): Promise<Child>;
}
