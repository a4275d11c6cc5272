import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { PASSKEY_SCRIPTS } from "../../auth/passkey-ui.js";
import type { Deps } from "../../deps.js";
import { currentSession, currentUser } from "../../http/request.js";
import { ButtonLink } from "../../ui/components/button.js";
import { PageHeader } from "../../ui/components/page-header.js";
import { renderPage } from "../../ui/layout.js";
import type { SecuritySection } from "./section.js";
import { securitySections } from "./sections.js";

/** GET /account/security: every section of securitySections(), in order. */
export function createSecurityRoutes(
  deps: Deps,
  options: { sections?: readonly SecuritySection[] } = {},
): Hono {
  const app = new Hono();
  const sections = options.sections ?? securitySections();

  app.get("/security", async function securityPage(c) {
    const user = currentUser(c);
    const session = currentSession(c);
    const ctx = {
      c,
      deps,
      user,
      sudo: deps.sessions.isSudo(session, deps.clock.now()),
    };
    const bodies: Child[] = await Promise.all(sections.map((s) => s.load(ctx)));
    return renderPage(c, {
      title: "Security",
      // The passkeys section's "Add a passkey" (static/passkeys.js).
      scripts: PASSKEY_SCRIPTS,
      children: (
        <div class="stack">
          <PageHeader
            eyebrow="Account"
            title="Security"
            description="How you sign in, and what protects your account."
            actions={
              <ButtonLink href="/account/activity" variant="secondary">
                Security log
              </ButtonLink>
            }
          />
          {sections.map((section, i) => (
            <div id={section.id}>{bodies[i]}</div>
          ))}
        </div>
      ),
    });
  });

  return app;
}
