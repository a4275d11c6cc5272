import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { currentSession, currentUser } from "../../http/request.js";
import { mountAll, withGuards } from "../../http/route-group.js";
import { requirePermission, requireSudo } from "../../sessions/guards.js";
import { renderPage } from "../../ui/layout.js";
import { can } from "../../users/roles.js";
import { displayName } from "../../users/user.js";
import { detailOr404 } from "./action-http.js";
import { createPasskeyActionRoutes } from "./action-passkey-routes.js";
import { createActionRoutes, createPostOnlyRoutes } from "./action-routes.js";
import { createSessionActionRoutes } from "./action-session-routes.js";
import { createUserAdmin } from "./actions.js";
import { UserDetailPage } from "./detail-view.js";
import type { UserAdmin } from "./types.js";

/**
 * One user's page and the actions on it (mounted under /admin by routes.ts).
 * Paths are relative to /admin:
 *
 *   GET  /users/:id                                 the page (users.view)
 *   GET  /users/:id/<action>/confirm                what will happen, Confirm / Cancel
 *   POST /users/:id/<action>                        does it (CSRF), 303 back with a message
 *   GET  /users/:id/<action>                        405, Allow: POST
 *   .../sessions/:sessionId/revoke[/confirm]        the same for one session
 *
 * <action> is each `path` of USER_ACTIONS. Confirm pages and POSTs need
 * users.manage and the sudo window (requireSudo: a GET goes to
 * /auth/confirm and comes back, a POST goes there without `next`, as a
 * POST target is no page to return to). Every decision (last admin,
 * self-action, repeat) is the UserAdmin service's; these handlers only
 * turn its answer into a page.
 */
export function createUserDetailRoutes(deps: Deps, options: { userAdmin?: UserAdmin } = {}): Hono {
  const ctx = { deps, userAdmin: options.userAdmin ?? createUserAdmin(deps) };

  const view = new Hono().get("/users/:id", async function userPage(c) {
    const detail = await detailOr404(deps, c.req.param("id"));
    return renderPage(c, {
      title: `${displayName(detail.user)} · Users`,
      children: (
        <UserDetailPage
          detail={detail}
          adminId={currentUser(c).id}
          currentSessionId={currentSession(c).id}
          canManage={can(currentUser(c), "users.manage")}
        />
      ),
    });
  });

  return mountAll([
    withGuards([requirePermission("users.view", deps)], view),
    withGuards(
      [
        requirePermission("users.manage", deps),
        requireSudo({ sessions: deps.sessions, clock: deps.clock }),
      ],
      mountAll([
        createActionRoutes(ctx),
        createSessionActionRoutes(ctx),
        createPasskeyActionRoutes(ctx),
      ]),
    ),
    // Admins outside the sudo window get the 405 too: the method is wrong whoever asks.
    withGuards([requirePermission("users.manage", deps)], createPostOnlyRoutes()),
  ]);
}
