import { LinkedProvidersSection, loadLinkedProviders } from "../../auth/oauth/security-section.js";
import type { SecuritySection } from "./section.js";

/** Linked OAuth/OIDC providers, with link and unlink forms (src/auth/oauth/security-section.tsx). */
export const linkedProvidersSection: SecuritySection = {
  id: "linked-providers-section",
  load: async ({ deps, user, sudo }) => (
    <LinkedProvidersSection
      rows={await loadLinkedProviders(deps, user)}
      sudo={sudo}
      hasPassword={user.passwordHash !== null}
    />
  ),
};
