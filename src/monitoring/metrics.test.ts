import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { statementClass } from "../db/query-stats.js";
import { counterOnce, createMetrics, gaugeOnce } from "./metrics.js";

describe("counterOnce / gaugeOnce", () => {
  it("returns the metric already registered under the name, so two users share one series", async () => {
    const registry = new Registry();
    const config = { name: "things_total", help: "Things", labelNames: ["kind"] as const };
    const first = counterOnce(registry, { ...config, labelNames: [...config.labelNames] });
    const second = counterOnce(registry, { ...config, labelNames: [...config.labelNames] });
    expect(second).toBe(first);
    first.inc({ kind: "a" });
    second.inc({ kind: "a" });
    expect(await registry.getMetricsAsJSON()).toEqual([
      expect.objectContaining({
        name: "things_total",
        values: [expect.objectContaining({ value: 2 })],
      }),
    ]);
  });

  it("never touches another registry: two apps in one process share nothing", () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    const config = { name: "pending", help: "Pending" };
    expect(gaugeOnce(a.registry, config)).not.toBe(gaugeOnce(b.registry, config));
  });

  it("refuses a name taken by another kind of metric instead of handing it back", () => {
    const registry = new Registry();
    counterOnce(registry, { name: "clash", help: "A counter" });
    expect(() => gaugeOnce(registry, { name: "clash", help: "A gauge" })).toThrow(
      "another kind of metric",
    );
  });
});

describe("the metrics of a running app", () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  /** Sample lines of /metrics (one per series), comments excluded. */
  async function series(): Promise<string[]> {
    const res = await t.app.request("/metrics");
    expect(res.status).toBe(200);
    return (await res.text()).split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  }

  // Labels are route patterns and fixed sets, never raw paths or headers: an attacker
  // requesting random URLs must not grow the registry (memory) or Prometheus (series).
  it("10,000 distinct unknown paths and user agents leave the series count flat", async () => {
    // The global per-IP limit would answer 429 long before 10,000 (app.request has no client IP).
    t = await createTestApp({ env: { RATE_LIMITS: "global=100000/1m" } });
    const hit = (i: number) =>
      t.app.request(`/no-such-page/${i}?q=${i}`, {
        // JSON: the error page without the layout, so 10,000 of them take seconds, not a minute.
        headers: { "User-Agent": `agent-${i}`, Accept: "application/json" },
      });
    for (let i = 0; i < 50; i++) await hit(i); // warm: every series of a 404 exists now
    await t.app.request("/metrics");
    const before = await series();
    for (let start = 50; start < 10_050; start += 250) {
      await Promise.all(Array.from({ length: 250 }, (_, k) => hit(start + k)));
    }
    await t.app.request("/metrics");
    const after = await series();
    expect(after.length).toBe(before.length);
    expect(after.join("\n")).not.toContain("no-such-page/");
    expect(after.join("\n")).not.toContain("agent-");
    expect(after).toContainEqual(
      expect.stringMatching(
        /^http_requests_total\{method="GET",route="\(unmatched\)",status="404"\} 100\d\d$/,
      ),
    );
  }, 60_000);

  for (const dialect of availableDialects()) {
    it(`exports sessions_active, mail_outbox_pending, db_query_duration_seconds and ratelimit decisions (${dialect})`, async () => {
      t = await createTestApp({ dialect });
      // Without a password: no hashing. PostgreSQL's sessions.user_id references users.
      const created = await t.deps.users.create({
        email: "gauge@example.com",
        firstName: "Gauge",
        lastName: "Person",
        passwordHash: null,
        emailVerifiedAt: t.clock.now(),
      });
      if (!created.ok) throw new Error(created.reason);
      const addSession = async (id: string, expiresInMs: number) => {
        const now = t.clock.now();
        await t.deps.db.execute(
          "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, csrf_secret) VALUES ($1, $2, $3, $3, $4, 'x')",
          [id, created.user.id, now, new Date(now.getTime() + expiresInMs)],
        );
      };
      await addSession("s-live", 3_600_000);
      await addSession("s-expired", -1_000);
      await t.app.request("/auth/sign-in");
      const text = (await series()).join("\n");
      expect(text).toContain("sessions_active 1");
      expect(text).toContain("mail_outbox_pending 0");
      expect(text).toMatch(/db_query_duration_seconds_count\{statement="insert"\} [1-9]/);
      expect(text).toMatch(/db_query_duration_seconds_count\{statement="select"\} [1-9]/);
      expect(text).toContain('ratelimit_decisions_total{policy="login",outcome="denied"} 0');
      expect(text).toContain('mail_sent_total{status="dead"} 0');
      expect(text).not.toMatch(/statement="(?!select|insert|update|delete|transaction|ddl|other")/);

      // Counted at most once per 5 s: a scrape right after reuses the count.
      await addSession("s-new", 3_600_000);
      expect(await series()).toContain("sessions_active 1");
      t.clock.advance(5_000);
      expect(await series()).toContain("sessions_active 2");
    });
  }

  it("statement classes come from the first keyword, anything else is other", () => {
    expect(statementClass("  SELECT 1")).toBe("select");
    expect(statementClass("WITH x AS (SELECT 1) SELECT * FROM x")).toBe("select");
    expect(statementClass("insert into t values (1)")).toBe("insert");
    expect(statementClass("(select 1)")).toBe("select");
    expect(statementClass("BEGIN")).toBe("transaction");
    expect(statementClass("CREATE TABLE t (a int)")).toBe("ddl");
    expect(statementClass("VACUUM")).toBe("other");
    expect(statementClass("")).toBe("other");
    expect(statementClass("'; DROP TABLE users; --")).toBe("other");
  });
});
