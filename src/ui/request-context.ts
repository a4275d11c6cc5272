import type { Context } from "hono";
import { useContext } from "hono/jsx";
import { RequestContext } from "hono/jsx-renderer";
// Type-only: brings the CSRF guard's `csrfToken` context variable into view.
import type {} from "../security/csrf.js";
// Type-only: brings the session middleware's `user` context variable into view.
import type {} from "../sessions/types.js";
import { can } from "../users/roles.js";
import { displayName } from "../users/user.js";

/**
 * How a component reads the request it is rendered for, without the page
 * threading it down as props. renderPage (layout.tsx) renders every page
 * inside hono's `RequestContext.Provider`, the same provider hono's
 * jsxRenderer sets up, so `useRequestContext()` from hono/jsx-renderer works
 * too. Only what a form or the header needs is read here (the CSRF token, who
 * is signed in); everything else a view shows comes in as props from its
 * handler. Reading the context is not calling a service: ui stays below features.
 */
export { RequestContext };

/**
 * The request being rendered, or undefined when a view is rendered on its
 * own (a unit test of a page). Deliberately not hono's throwing
 * `useRequestContext`: a view stays renderable without a request, and a POST
 * form rendered that way has no token, which the CSRF guard refuses: the
 * mistake fails closed.
 */
export function useRequest(): Context | undefined {
  return useContext(RequestContext) ?? undefined;
}

/** The CSRF guard's token for this response (masked per render), when the guard is mounted. */
export function useCsrfToken(): string | undefined {
  return useRequest()?.get("csrfToken");
}

/** What the header shows of the signed-in user. */
export interface SignedInUser {
  name: string;
  email: string;
  /** Whether the header offers the Admin section (roles.ts decides; the header never compares role names). */
  isAdmin: boolean;
}

/** The signed-in user as the header shows them, or undefined for a visitor. */
export function useSignedInUser(): SignedInUser | undefined {
  const user = useRequest()?.get("user");
  return user
    ? { name: displayName(user), email: user.email, isAdmin: can(user, "admin.access") }
    : undefined;
}
