import type { Context, MiddlewareHandler } from "hono";
import type { Audit } from "../audit/audit.js";
import { AppError, responseKind } from "../errors.js";
import { markRoute } from "../http/route-meta.js";
import type { Clock } from "../lib/clock.js";
import { safeNextPath } from "../security/redirect.js";
import { can, type Permission } from "../users/roles.js";
import type { SessionService } from "./types.js";

/**
 * Where to come back to after signing in: the current path for GET (the
 * page the visitor wanted); for other methods there is nothing to come back
 * to (a POST target is not a page), so no `next`.
 */
function returnPath(c: Context): string | undefined {
  if (c.req.method !== "GET" && c.req.method !== "HEAD") return undefined;
  const url = new URL(c.req.url);
  const path = safeNextPath(`${url.pathname}${url.search}`, "");
  return path === "" ? undefined : path;
}

function redirectTo(c: Context, location: string, jsonError: AppError): Response {
  const kind = responseKind(c);
  if (kind === "json") throw jsonError;
  if (kind === "htmx") {
    // htmx follows HX-Redirect with a full page load; a 303 would be swapped into the page.
    c.header("HX-Redirect", location);
    return c.body(null, 401);
  }
  return c.redirect(location, 303);
}

function withNext(path: string, next: string | undefined): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}

/**
 * Anonymous visitors go to the login page (303, or HX-Redirect for htmx)
 * with `next` set to where they were going; JSON callers get 401.
 */
export function requireUser(options: { loginPath?: string } = {}): MiddlewareHandler {
  const loginPath = options.loginPath ?? "/auth/login";
  return markRoute(
    async function requireUserGuard(c, next) {
      if (c.get("user") && c.get("session")) return next();
      return redirectTo(c, withNext(loginPath, returnPath(c)), new AppError("UNAUTHORIZED"));
    },
    { guard: "user" },
  );
}

/**
 * "Sudo mode": sensitive actions (email change, 2FA setup, unlinking a
 * provider) need a re-authentication within SUDO_WINDOW_MINUTES, so a
 * session stolen or left open on a shared machine cannot take the account
 * over. Outside the window: 303 to /auth/confirm?next=… (JSON: 403).
 * Mount after requireUser.
 */
export function requireSudo(options: {
  sessions: Pick<SessionService, "isSudo">;
  clock: Clock;
  confirmPath?: string;
  loginPath?: string;
}): MiddlewareHandler {
  const confirmPath = options.confirmPath ?? "/auth/confirm";
  const loginPath = options.loginPath ?? "/auth/login";
  return markRoute(
    async function requireSudoGuard(c, next) {
      const session = c.get("session");
      if (!session || !c.get("user")) {
        return redirectTo(c, withNext(loginPath, returnPath(c)), new AppError("UNAUTHORIZED"));
      }
      if (options.sessions.isSudo(session, options.clock.now())) return next();
      return redirectTo(
        c,
        withNext(confirmPath, returnPath(c)),
        new AppError("FORBIDDEN", { message: "Confirm your password to continue." }),
      );
    },
    { guard: "sudo" },
  );
}

/**
 * Only users whose role grants `permission` get past; everyone else, signed
 * in or not, gets the same 404 as an unknown path (not 401 or 403): the
 * Admin section is not advertised to people who cannot use it. Mount after
 * requireUser is NOT wanted here: a redirect to the login page would itself
 * reveal that the path exists.
 *
 * With `audit`, a signed-in user turned away is recorded as `access_denied`
 * (someone probing what their account can reach). Anonymous requests are
 * not: an unauthenticated flood must not fill the log.
 */
export function requirePermission(
  permission: Permission,
  options: { audit?: Pick<Audit, "forRequest"> } = {},
): MiddlewareHandler {
  return markRoute(
    async function requirePermissionGuard(c, next) {
      const session = c.get("session");
      const user = c.get("user");
      if (session && can(user, permission)) return next();
      if (session && user && options.audit) {
        await options.audit.forRequest(c).record({
          type: "access_denied",
          outcome: "denied",
          targetId: user.id,
          details: { method: c.req.method, path: c.req.path, permission },
        });
      }
      throw new AppError("NOT_FOUND");
    },
    { guard: "admin" },
  );
}
