import { listPasskeys } from "../../auth/passkeys/store.js";
import { PasskeysSection } from "../../auth/passkeys/views.js";
import { Card } from "../../ui/components/card.js";
import type { SecuritySection } from "./section.js";

/** Passkeys: list, rename, remove, add (src/auth/passkeys/views.tsx). */
export const passkeysSection: SecuritySection = {
  id: "passkeys-section",
  load: async ({ deps, user, sudo }) => (
    <Card title="Passkeys">
      <PasskeysSection passkeys={await listPasskeys(deps.db, user.id)} sudo={sudo} />
    </Card>
  ),
};
