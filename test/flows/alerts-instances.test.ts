import { afterEach, describe, expect, it } from "vitest";
import { ALERTS_LEASE_TTL_MS, createAlertService } from "../../src/alerts/service.js";
import type { AlertService } from "../../src/alerts/types.js";
import { leaseHolder } from "../../src/jobs/lease.js";
import { fixedClock } from "../../src/lib/clock.js";
import type { Sample } from "../../src/monitoring/sample.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { sampleLog, startWebhookReceiver } from "./alerts-fixture.js";

const SECRET = "alerts-webhook-secret-0123456789";
const BAD = { requests: 60, errors: 12 };
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/**
 * Alerts across restarts and instances, and fed by the real logger and
 * sampler. Threats: a restart or a second instance announcing an alert again
 * (or two instances each announcing it), and an alert that a restart forgets.
 */
describe.each(availableDialects())("alerts across instances (%s)", (dialect) => {
  let t: TestApp | undefined;
  let receiver: Receiver | undefined;
  const services: AlertService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    await t?.close();
    await receiver?.close();
    t = receiver = undefined;
  });

  async function setUp(env: Record<string, string> = {}) {
    const clock = fixedClock();
    receiver = await startWebhookReceiver({ secret: SECRET });
    t = await createTestApp({
      dialect,
      clock,
      env: {
        ALERT_WEBHOOK_URL: receiver.url,
        ALERT_WEBHOOK_SECRET: SECRET,
        ALERT_RULES: "error_rate.for=30s",
        ...env,
      },
    });
    const app = t;
    const log = sampleLog(clock);
    const service = (holder: string) => {
      const s = createAlertService({
        ...app.deps,
        samples: log,
        registry: app.deps.metrics.registry,
        holder,
        webhookRetryDelayMs: () => 1,
      });
      services.push(s);
      return s;
    };
    const sample = (figures: Partial<Sample>) => {
      clock.advance(10_000);
      log.push(figures);
    };
    return { t: app, clock, service, sample, hook: receiver };
  }

  it("a restart keeps the firing alert and its cooldown: no second notice", async () => {
    const { service, sample, hook } = await setUp();
    const first = service("before-restart");
    for (let i = 0; i < 5; i++) {
      sample(BAD);
      await first.evaluateNow();
    }
    const [alert] = await first.active();
    expect(alert?.rule).toBe("error_rate");
    expect(hook.received).toHaveLength(1);
    await first.stop(); // the process stops: the lease is handed over

    const second = service("after-restart");
    for (let i = 0; i < 10; i++) {
      sample(BAD);
      expect(await second.evaluateNow()).toBe(true);
    }
    expect(await second.active()).toEqual([alert]);
    expect(hook.received).toHaveLength(1);
  });

  it("a restart keeps a pending rule's `for`: it fires on time, not `for` after the restart", async () => {
    const { service, sample, clock } = await setUp();
    const first = service("a");
    sample(BAD);
    await first.evaluateNow();
    sample(BAD); // 120 requests: pending from here
    await first.evaluateNow();
    const since = (await first.rules()).find((r) => r.name === "error_rate")?.pendingSince;
    expect(since).toEqual(clock.now());
    await first.stop();
    const second = service("b");
    for (let i = 0; i < 3; i++) {
      sample(BAD);
      await second.evaluateNow();
    }
    expect(await second.active()).toHaveLength(1); // 30 s after `since`
    expect((await second.active())[0]?.firedAt).toEqual(
      new Date((since as Date).getTime() + 30_000),
    );
  });

  it("two instances on one database: only the lease holder evaluates, and the alert is announced once", async () => {
    const { t, service, sample, hook, clock } = await setUp();
    const a = service("instance-a");
    const b = service("instance-b");
    for (let i = 0; i < 6; i++) {
      sample(BAD);
      const [ranA, ranB] = await Promise.all([a.evaluateNow(), b.evaluateNow()]);
      expect([ranA, ranB].filter(Boolean)).toHaveLength(1);
    }
    expect(hook.received).toHaveLength(1);
    const holder = (await leaseHolder(t.deps.db, "alerts"))?.holder;
    // Both see the same alerts: they are read from the database.
    expect(await a.active()).toEqual(await b.active());

    // The holder dies without releasing: the other takes over once the lease expires.
    const survivor = holder === "instance-a" ? b : a;
    clock.advance(ALERTS_LEASE_TTL_MS - 10_000);
    expect(await survivor.evaluateNow()).toBe(false);
    clock.advance(10_000);
    expect(await survivor.evaluateNow()).toBe(true);
    expect(hook.received).toHaveLength(1);
  });

  it("alerts_active{rule} comes from the database, every rule reported from zero", async () => {
    const { t, service, sample, clock } = await setUp({ ALERT_RULES: "error_rate.for=0" });
    const registry = t.deps.metrics.registry;
    const text = async () => (await registry.getSingleMetricAsString("alerts_active")) ?? "";
    expect(await text()).toContain('alerts_active{rule="error_rate"} 0');
    expect(await text()).toContain('alerts_active{rule="errors_logged"} 0');
    const alerts = service("a");
    sample(BAD);
    sample(BAD);
    await alerts.evaluateNow();
    clock.advance(5_000); // past the gauge's cache
    expect(await text()).toContain('alerts_active{rule="error_rate"} 1');
    expect(await text()).toContain('alerts_active{rule="latency_p95"} 0');
  });

  it("history: newest first, paged with `before`, at most 500 a page", async () => {
    const { service, sample } = await setUp({ ALERT_RULES: "error_rate.for=0" });
    const alerts = service("a");
    const QUIET = { requests: 100_000, errors: 0 };
    const WORSE = { requests: 100_000, errors: 50_000 };
    for (const figures of [BAD, BAD, QUIET, QUIET, WORSE]) {
      sample(figures);
      await alerts.evaluateNow();
    }
    const all = await alerts.history({ limit: 10 });
    expect(all.map((a) => a.state)).toEqual(["firing", "resolved"]);
    const [latest, older] = all;
    expect(await alerts.history({ limit: 1 })).toEqual([latest]);
    expect(await alerts.history({ limit: 10, before: latest?.firedAt })).toEqual([older]);
    expect(await alerts.history({ limit: 10, before: older?.firedAt })).toEqual([]);
    expect(await alerts.history({ limit: 100_000 })).toHaveLength(2);
    expect(await alerts.history({ limit: 0 })).toHaveLength(1);
  });

  it("ALERT_EVALUATION=off: this instance never evaluates, but reads the shared alerts", async () => {
    const { service, sample } = await setUp({ ALERT_EVALUATION: "off" });
    const off = service("web-only");
    sample(BAD);
    sample(BAD);
    expect(await off.evaluateNow()).toBe(false);
    expect(await off.active()).toEqual([]);
    expect((await off.rules()).every((r) => r.lastEvaluatedAt === undefined)).toBe(true);
  });

  it("a disabled rule never fires", async () => {
    const { service, sample } = await setUp({
      ALERT_RULES: "error_rate.for=0,error_rate.enabled=false",
    });
    const alerts = service("a");
    for (let i = 0; i < 3; i++) {
      sample(BAD);
      await alerts.evaluateNow();
    }
    expect(await alerts.active()).toEqual([]);
    const rule = (await alerts.rules()).find((r) => r.name === "error_rate");
    expect(rule).toMatchObject({ enabled: false, lastValue: undefined });
  });

  it("errors_logged counts real error and fatal log lines through the real sampler", async () => {
    const { t } = await setUp({ ALERT_RULES: "errors_logged.threshold=3" });
    const { deps } = t;
    const alerts = createAlertService({
      ...deps,
      samples: deps.sampler,
      registry: deps.metrics.registry,
      holder: "a",
      webhookRetryDelayMs: () => 1,
    });
    services.push(alerts);
    await deps.sampler.sampleNow(); // the baseline: counts are growth from here
    deps.logger.error("first");
    deps.logger.warn("a warning is not counted");
    deps.logger.error("second");
    t.clock.advance(10_000);
    await deps.sampler.sampleNow();
    await alerts.evaluateNow();
    expect(await alerts.active()).toEqual([]);
    expect((await alerts.rules()).find((r) => r.name === "errors_logged")?.lastValue).toBe(2);
    deps.logger.error("third");
    deps.logger.fatal("fourth");
    t.clock.advance(10_000);
    await deps.sampler.sampleNow();
    await alerts.evaluateNow();
    const [alert] = await alerts.active();
    expect(alert).toMatchObject({ rule: "errors_logged", value: 4, threshold: 3 });
    // The alert's own log line is a warning: it does not feed the rule it belongs to.
    expect(deps.logTally.errors + deps.logTally.fatals).toBe(4);
  });

  it("database_unreachable fires on the database health check's failures", async () => {
    const { t, service, sample } = await setUp({ ALERT_RULES: "database_unreachable.for=0" });
    const alerts = service("a");
    sample({});
    await alerts.evaluateNow();
    expect(await alerts.active()).toEqual([]);
    t.deps.health.record("database", { status: "fail", message: "connection refused" });
    sample({});
    await alerts.evaluateNow();
    expect((await alerts.active())[0]).toMatchObject({
      rule: "database_unreachable",
      severity: "critical",
      value: 1,
    });
    t.deps.health.record("database", { status: "ok", message: "answered" });
    sample({});
    await alerts.evaluateNow();
    expect(await alerts.active()).toEqual([]);
  });
});
