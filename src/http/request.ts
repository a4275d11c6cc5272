import type { Context, ContextVariableMap } from "hono";

/**
 * The one place a handler asks a request who is signed in and where it came
 * from. The session middleware (sessions/) sets `user` and `session`, the
 * client-ip middleware (security/) sets `clientIp`, request-context
 * (monitoring/) sets `requestId`; their types come through Hono's context
 * map, so this base module imports nothing from the layers above it.
 */
type SignedInUser = NonNullable<ContextVariableMap["user"]>;
type CurrentSession = NonNullable<ContextVariableMap["session"]>;

/** Where a request came from: the request part of every audit record. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** Client IP (as TRUST_PROXY resolved it), User-Agent and request id; null when unknown. */
export function requestOrigin(c: Context): RequestOrigin {
  return {
    ip: c.get("clientIp") ?? null,
    userAgent: c.req.header("User-Agent") ?? null,
    requestId: c.get("requestId") ?? null,
  };
}

/**
 * The same origin in the shape the rate limiter's audit context takes
 * (absent rather than null): `rateLimiter.penalize(policy, key, { ...limitOrigin(c), actorId })`.
 */
export function limitOrigin(c: Context): { ip?: string; requestId?: string } {
  return { ip: c.get("clientIp"), requestId: c.get("requestId") };
}

/** The signed-in user, or undefined for an anonymous visitor. */
export function findCurrentUser(c: Context): SignedInUser | undefined {
  return c.get("user");
}

/** The signed-in user; only call behind requireUser(), which guarantees one. */
export function currentUser(c: Context): SignedInUser {
  const user = c.get("user");
  // A programming error (guard not mounted), not a visitor's doing: fail loudly.
  if (!user) throw new Error("currentUser: requireUser() is not mounted on this route");
  return user;
}

/** The current session; only call behind requireUser(), which guarantees one. */
export function currentSession(c: Context): CurrentSession {
  const session = c.get("session");
  if (!session) throw new Error("currentSession: requireUser() is not mounted on this route");
  return session;
}
