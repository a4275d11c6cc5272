import type { SecuritySection } from "./sections.js";

/**
 * Placeholder until OAuth sign-in lands: an honest empty state, no fake
 * rows and no links to pages that do not exist yet. The OAuth work
 * replaces `load` with the user's linked providers (and unlink forms).
 */
export const linkedProvidersSection: SecuritySection = {
  id: "linked-providers",
  title: "Linked sign-in providers",
  load: async () => (
    <p id="linked-providers-empty">
      No linked providers. You sign in with your email address and password.
    </p>
  ),
};
