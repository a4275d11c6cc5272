import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../db/db.js";
import { openDuckDb } from "../db/duckdb.js";
import { createMigrator } from "../db/migrate.js";
import { fixedClock } from "../lib/clock.js";
import { systemRandom } from "../lib/random.js";
import { createLogger } from "../monitoring/logger.js";
import { createMetrics } from "../monitoring/metrics.js";
// Type-only: brings the `clientIp`, `user` and `session` context variables into view.
import type {} from "../security/client-ip.js";
import type {} from "../sessions/types.js";
import type { User } from "../users/user.js";
import { type Audit, type AuditInput, createAuditRecorder } from "./audit.js";

const ALICE: User = {
  id: "user-alice",
  email: "alice@example.com",
  firstName: "Alice",
  lastName: "Liddell",
  role: "user",
  status: "active",
  emailVerifiedAt: null,
  passwordHash: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-01T00:00:00Z"),
  lastLoginAt: null,
};

/**
 * An app whose middleware sets what the real ones do (client-ip, request
 * context, session), then records `input` through forRequest.
 */
function recordingApp(audit: Audit, options: { user?: User; input: AuditInput }) {
  const app = new Hono();
  app.use(async (c, next) => {
    c.set("clientIp", "203.0.113.7");
    c.set("requestId", "req-123");
    c.set("user", options.user);
    await next();
  });
  app.post("/act", async (c) => c.json(await audit.forRequest(c).record(options.input)));
  return app;
}

describe("audit.forRequest", () => {
  let db: Db;
  let audit: Audit;

  beforeEach(async () => {
    db = await openDuckDb({ path: ":memory:", threads: 1 });
    await createMigrator(db).up();
    const clock = fixedClock();
    audit = createAuditRecorder({
      db,
      clock,
      random: systemRandom(() => clock.now().getTime()),
      logger: createLogger({ level: "silent", pretty: false }),
      metrics: createMetrics({ defaultMetrics: false }),
    });
  });
  afterEach(async () => {
    await db.close();
  });

  it("fills ip, user agent, request id and the signed-in user as the actor", async () => {
    const app = recordingApp(audit, {
      user: ALICE,
      input: {
        type: "profile_updated",
        outcome: "success",
        targetId: ALICE.id,
        details: { newSignInNotice: true },
      },
    });
    const res = await app.request("/act", {
      method: "POST",
      headers: { "User-Agent": "TestBrowser/1.0" },
    });
    expect(res.status).toBe(200);
    const [stored] = await audit.list({ type: "profile_updated" });
    expect(stored).toMatchObject({
      type: "profile_updated",
      outcome: "success",
      actorId: ALICE.id,
      targetId: ALICE.id,
      ip: "203.0.113.7",
      userAgent: "TestBrowser/1.0",
      requestId: "req-123",
      details: { newSignInNotice: true },
    });
  });

  it("names no actor for an anonymous visitor, and null for a missing User-Agent", async () => {
    const app = recordingApp(audit, {
      input: { type: "password_reset_requested", outcome: "info", targetId: null },
    });
    await app.request("/act", { method: "POST" });
    const [stored] = await audit.list({ type: "password_reset_requested" });
    expect(stored).toMatchObject({
      actorId: null,
      targetId: null,
      ip: "203.0.113.7",
      userAgent: null,
      requestId: "req-123",
    });
  });

  it("lets explicit values win, null included (a logout names the user whose session ended)", async () => {
    const app = recordingApp(audit, {
      user: ALICE,
      input: {
        type: "login_failed",
        outcome: "failure",
        actorId: null,
        ip: "198.51.100.1",
        userAgent: "Explicit/2.0",
        requestId: "req-explicit",
      },
    });
    await app.request("/act", { method: "POST", headers: { "User-Agent": "TestBrowser/1.0" } });
    const [stored] = await audit.list({ type: "login_failed" });
    expect(stored).toMatchObject({
      actorId: null,
      ip: "198.51.100.1",
      userAgent: "Explicit/2.0",
      requestId: "req-explicit",
    });
  });

  it("reads the signed-in user when the record is written, not when forRequest is called", async () => {
    const app = new Hono();
    app.post("/act", async (c) => {
      const requestAudit = audit.forRequest(c);
      c.set("user", ALICE); // a sign-in during the request
      return c.json(await requestAudit.record({ type: "login_succeeded", outcome: "success" }));
    });
    await app.request("/act", { method: "POST" });
    const [stored] = await audit.list({ type: "login_succeeded" });
    expect(stored?.actorId).toBe(ALICE.id);
    // No client-ip or request-context middleware ran: unknown, not invented.
    expect(stored).toMatchObject({ ip: null, requestId: null, userAgent: null });
  });
});
