import { Hono } from "hono";
import { listIdentities } from "../../auth/oauth/identities.js";
import { twoFactorStatus } from "../../auth/two-factor/manage.js";
import type { Deps } from "../../deps.js";
import { currentSession, currentUser } from "../../http/request.js";
import { renderPage } from "../../ui/layout.js";
import { SettingsPage } from "./views.js";

/**
 * GET /settings (signed in; account/routes.ts applies requireUser): one page
 * gathering what the account pages each change (profile, security, sessions,
 * theme), with the way to delete the account at the bottom. It changes
 * nothing itself: every action stays on its own page, behind its own guard.
 */
export function createSettingsRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get("/settings", async function settingsPage(c) {
    const user = currentUser(c);
    const current = currentSession(c);
    const [sessions, twoFactor, identities] = await Promise.all([
      deps.sessions.listForUser(user.id),
      twoFactorStatus(deps, user.id),
      listIdentities(deps.db, user.id),
    ]);
    // As on /account/sessions: this session is live even if its last-seen write was throttled.
    const sessionCount = sessions.length + (sessions.some((s) => s.id === current.id) ? 0 : 1);
    return renderPage(c, {
      title: "Settings",
      children: (
        <SettingsPage
          name={`${user.firstName} ${user.lastName}`.trim()}
          email={user.email}
          emailVerified={user.emailVerifiedAt !== null}
          theme={c.get("theme") ?? "system"}
          sessionCount={sessionCount}
          twoFactorEnabled={twoFactor.enabled}
          linkedProviders={identities.length}
          hasPassword={user.passwordHash !== null}
        />
      ),
    });
  });

  return app;
}
