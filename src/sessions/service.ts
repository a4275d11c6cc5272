import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { sha256Hex } from "../lib/crypto.js";
import type { Random } from "../lib/random.js";
import type { Metrics } from "../monitoring/metrics.js";
import type { UsersRepository } from "../users/user.js";
import { createSessionCache, type SessionCache } from "./cache.js";
import type { SessionEvictions } from "./eviction.js";
import {
  SELECT_SESSION_WITH_USER,
  SESSION_COLUMNS,
  type SessionRow,
  sessionFromRow,
  sessionWithUserFromRow,
} from "./queries.js";
import {
  SESSION_REFRESH_INTERVAL_MS,
  type Session,
  type SessionCheck,
  type SessionService,
  type ValidatedSession,
} from "./types.js";

/** 32 bytes from the CSPRNG: 256 bits, far beyond guessing; base64url without padding = 43 chars. */
export const SESSION_TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const MAX_USER_AGENT = 512;
const MINUTE = 60_000;

export interface SessionServiceOptions {
  db: Db;
  clock: Clock;
  random: Random;
  metrics: Metrics;
  users: UsersRepository;
  idleTimeoutMinutes: number;
  maxAgeHours: number;
  cacheTtlSeconds: number;
  /** Tells other instances what to drop from their caches, and hears theirs (eviction.ts). Absent: this process only. */
  evictions?: SessionEvictions;
}

/** The session id stored in the database for a cookie token. */
export function sessionIdFor(token: string): string {
  return sha256Hex(token);
}

export function createSessionService(
  options: SessionServiceOptions,
): SessionService & { readonly cache: SessionCache } {
  const { db, clock, random } = options;
  const idleMs = options.idleTimeoutMinutes * MINUTE;
  const maxAgeMs = options.maxAgeHours * 60 * MINUTE;
  // A refresh interval longer than the idle timeout would let an active session expire.
  const refreshMs = Math.min(SESSION_REFRESH_INTERVAL_MS, Math.floor(idleMs / 2));
  const cache = createSessionCache({
    ttlMs: Math.min(options.cacheTtlSeconds, 60) * 1000,
    registry: options.metrics.registry,
    clock,
  });
  const { evictions } = options;
  // What another instance ended is dropped here; after a gap in the channel, everything is.
  evictions?.subscribe({
    evict: (m) => (m.kind === "session" ? cache.delete(m.id) : cache.deleteUser(m.id)),
    resync: () => cache.clear(),
  });
  /** Drops a user's cached sessions here and on every other instance. Only after the change committed. */
  const forgetEverywhere = (userId: string) => {
    cache.deleteUser(userId);
    evictions?.publish({ kind: "user", id: userId });
  };
  const forgetSessionEverywhere = (sessionId: string) => {
    cache.delete(sessionId);
    evictions?.publish({ kind: "session", id: sessionId });
  };
  // Any change to a user (status, role, name, password, deletion) drops their cached sessions,
  // here and elsewhere. The listener may run inside the caller's transaction, before it
  // commits; every caller that ends sessions in one (password change and reset, the admin's
  // actions, deletion) calls forgetUser after the commit, which publishes again, so the last
  // message another instance hears always follows the commit.
  options.users.onChange(forgetEverywhere);

  const expiresAt = (s: Pick<Session, "lastSeenAt" | "expiresAt">) =>
    new Date(Math.min(s.lastSeenAt.getTime() + idleMs, s.expiresAt.getTime()));

  const isLive = (s: Session, now: Date) => now.getTime() < expiresAt(s).getTime();

  const revoke = async (sessionId: string): Promise<boolean> => {
    cache.delete(sessionId);
    const n = await db.execute("DELETE FROM sessions WHERE id = $1", [sessionId]);
    // Again after the write: a look-up racing the DELETE may have cached the row meanwhile.
    // Autocommit, so the other instances may be told now.
    forgetSessionEverywhere(sessionId);
    return n > 0;
  };

  /** Loads through the cache; the generation guard keeps a racing revoke from being undone. */
  const load = async (sessionId: string): Promise<ValidatedSession | undefined> => {
    const cached = cache.get(sessionId);
    if (cached) return cached;
    const generation = cache.generation();
    const row = await db.one(SELECT_SESSION_WITH_USER, [sessionId]);
    if (!row) return undefined;
    const value = sessionWithUserFromRow(row);
    cache.set(sessionId, value, generation);
    return value;
  };

  const NONE = { kind: "none" } as const;

  async function check(token: string): Promise<SessionCheck> {
    // Anything that is not one of our tokens never reaches the database.
    if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) return NONE;
    // Looked up by SHA-256(token): the attacker controls the token, not its
    // hash, so index timing cannot reveal a matching prefix of a stored id.
    const sessionId = sessionIdFor(token);
    const found = await load(sessionId);
    if (!found) return NONE;
    const now = clock.now();
    if (!isLive(found.session, now)) {
      const ended = await revoke(sessionId);
      const reason = now.getTime() >= found.session.expiresAt.getTime() ? "absolute" : "idle";
      return { kind: "expired", session: found.session, reason, ended };
    }
    // Deactivated users have no session, whatever rows remain.
    if (found.user.status !== "active") return NONE;
    if (now.getTime() - found.session.lastSeenAt.getTime() < refreshMs) {
      return { kind: "live", found };
    }
    // Sliding idle timeout, written at most every `refreshMs` per session: a
    // busy user costs one UPDATE per interval, not one per request. The guard
    // makes concurrent refreshes of one session a single effective write.
    await db.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at <= $3", [
      now,
      sessionId,
      new Date(now.getTime() - refreshMs),
    ]);
    const refreshed = { ...found, session: { ...found.session, lastSeenAt: now } };
    cache.replace(sessionId, refreshed);
    return { kind: "live", found: refreshed };
  }

  return {
    cache,
    cacheStats: () => cache.stats(),
    clearCache: () => cache.clear(),

    async create(input, tx = db) {
      const now = clock.now();
      const token = random.token(SESSION_TOKEN_BYTES);
      const session: Session = {
        id: sessionIdFor(token),
        userId: input.userId,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + maxAgeMs),
        ip: input.ip ?? null,
        userAgent: input.userAgent ? input.userAgent.slice(0, MAX_USER_AGENT) : null,
        sudoUntil: input.sudoUntil ?? null,
        // Fresh for every session and written by this INSERT, the row's only
        // write: deps.csrf adopts it (sessions/http.ts), so tokens rendered
        // before sign-in are bound to another secret and fail.
        csrfSecret: random.token(32),
      };
      await tx.execute(
        `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          session.id,
          session.userId,
          session.createdAt,
          session.lastSeenAt,
          session.expiresAt,
          session.ip,
          session.userAgent,
          session.sudoUntil,
          session.csrfSecret,
        ],
      );
      return { token, session };
    },

    async validate(token) {
      const checked = await check(token);
      return checked.kind === "live" ? checked.found : undefined;
    },

    check,

    async listForUser(userId) {
      const now = clock.now();
      const rows = await db.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions
         WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3
         ORDER BY last_seen_at DESC, created_at DESC`,
        [userId, now, new Date(now.getTime() - idleMs)],
      );
      return rows.map(sessionFromRow);
    },

    revoke,

    async revokeForUser(userId, sessionId, tx) {
      cache.delete(sessionId);
      const n = await (tx ?? db).execute("DELETE FROM sessions WHERE id = $1 AND user_id = $2", [
        sessionId,
        userId,
      ]);
      // In a caller's transaction the others hear of it from forgetUser, after the commit.
      if (tx === undefined) forgetSessionEverywhere(sessionId);
      else cache.delete(sessionId);
      return n > 0;
    },

    async revokeAllForUser(userId, opts = {}) {
      const q = opts.tx ?? db;
      cache.deleteUser(userId);
      const n = opts.exceptSessionId
        ? await q.execute("DELETE FROM sessions WHERE user_id = $1 AND id <> $2", [
            userId,
            opts.exceptSessionId,
          ])
        : await q.execute("DELETE FROM sessions WHERE user_id = $1", [userId]);
      if (opts.tx === undefined) forgetEverywhere(userId);
      else cache.deleteUser(userId);
      return n;
    },

    forgetUser: forgetEverywhere,

    async rotate(sessionId, opts = {}) {
      const token = random.token(SESSION_TOKEN_BYTES);
      // One UPDATE: the old token stops matching any row at the instant the new
      // one (and a new CSRF secret) starts to, so there is no moment with both
      // or neither. Same row otherwise: user, lifetime and sudo window carry
      // over, unless this is the re-authentication that opens the window.
      const sudo = opts.sudoUntil ? ", sudo_until = $4" : "";
      const params = [sessionIdFor(token), random.token(32), sessionId];
      cache.delete(sessionId);
      const row = await db.one<SessionRow>(
        `UPDATE sessions SET id = $1, csrf_secret = $2${sudo} WHERE id = $3
         RETURNING ${SESSION_COLUMNS}`,
        opts.sudoUntil ? [...params, opts.sudoUntil] : params,
      );
      // Again after the write, as in revoke: a look-up of the old token racing
      // the UPDATE may have cached the row meanwhile. Elsewhere too: the old
      // token must die on every instance (a fixated or leaked one would live on).
      forgetSessionEverywhere(sessionId);
      return row ? { token, session: sessionFromRow(row) } : undefined;
    },

    async markSudo(sessionId, until) {
      await db.execute("UPDATE sessions SET sudo_until = $1 WHERE id = $2", [until, sessionId]);
      forgetSessionEverywhere(sessionId);
    },

    isSudo: (session, now) =>
      session.sudoUntil !== null && session.sudoUntil.getTime() > now.getTime(),

    async deleteExpired(now) {
      return db.execute("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2", [
        now,
        new Date(now.getTime() - idleMs),
      ]);
    },

    expiresAt,
  };
}
