import type { Context, ContextVariableMap } from "hono";

/**
 * The signed-in user as the session middleware sets it (sessions/types.ts
 * declares the context variable). Named through Hono's context map so this
 * base module needs no import from the domain layer.
 */
type SignedInUser = NonNullable<ContextVariableMap["user"]>;

/** Who did it and from where: the request part of every audit record these flows write. */
export function auditContext(c: Context): {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
} {
  return {
    ip: c.get("clientIp") ?? null,
    userAgent: c.req.header("User-Agent") ?? null,
    requestId: c.get("requestId") ?? null,
  };
}

/** The signed-in user; only call behind requireUser(), which guarantees one. */
export function currentUser(c: Context): SignedInUser {
  const user = c.get("user");
  // A programming error (guard not mounted), not a visitor's doing: fail loudly.
  if (!user) throw new Error("currentUser: requireUser() is not mounted on this route");
  return user;
}
