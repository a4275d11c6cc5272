import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { type SmtpSink, startSmtpSink } from "../../test/smtp-sink.js";
import { createHealth } from "./build.js";

/** The checks an app gets from its configuration, run for real, and what /metrics shows of them. */
const redisUrl = inject("redisUrl");
let t: TestApp;
let sink: SmtpSink | undefined;
let redis: Redis | undefined;
afterEach(async () => {
  await t?.close();
  await sink?.stop();
  redis?.disconnect();
  sink = undefined;
  redis = undefined;
});

describe("the app's health checks", () => {
  it("registers the local checks, critical ones first, and exposes their results at /metrics", async () => {
    t = await createTestApp({ defaultMetrics: false });
    const states = t.deps.health.results();
    expect(states.map((s) => [s.name, s.critical])).toEqual([
      ["database", true],
      ["migrations", true],
      ["disk", false],
      ["memory", false],
      ["event_loop", false],
      ["mail_outbox", false],
    ]);
    const results = await t.deps.health.runAll();
    // Every check ran; disk is left out of "not failing": it depends on the machine's free space.
    for (const state of results) {
      expect(state.last, state.name).toBeDefined();
      if (state.name !== "disk") expect(state.last?.status, state.name).not.toBe("fail");
    }
    const metrics = await (await t.client.get("/metrics")).text();
    expect(metrics).toContain('health_check_status{check="database"} 1');
    expect(metrics).toContain('health_check_status{check="mail_outbox"} 1');
    expect(metrics).toMatch(/health_check_duration_seconds\{check="migrations"\} [\d.e-]+/);
  });

  it.skipIf(!redisUrl)("adds Redis and SMTP when configured; SMTP is checked rarely", async () => {
    t = await createTestApp({ defaultMetrics: false });
    sink = await startSmtpSink();
    redis = new Redis(redisUrl ?? "", { maxRetriesPerRequest: 1 });
    const { config } = t.deps;
    const health = createHealth({
      config: { ...config, mail: { ...config.mail, smtpHost: "127.0.0.1", smtpPort: sink.port } },
      db: t.deps.db,
      clock: t.clock,
      logger: t.deps.logger,
      registry: new Registry(),
      redis,
    });
    const smtp = health.results().find((s) => s.name === "smtp");
    expect(smtp?.intervalMs).toBe(config.health.smtpIntervalMs);
    expect(smtp?.intervalMs).toBeGreaterThanOrEqual(10 * config.health.intervalMs);
    const byName = Object.fromEntries((await health.runAll()).map((s) => [s.name, s.last?.status]));
    expect(byName).toMatchObject({ redis: "ok", smtp: "ok", database: "ok" });
  });
});
