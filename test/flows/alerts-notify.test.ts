import { afterEach, describe, expect, it } from "vitest";
import { createAlertService } from "../../src/alerts/service.js";
import type { AlertService } from "../../src/alerts/types.js";
import { fixedClock } from "../../src/lib/clock.js";
import type { Sample } from "../../src/monitoring/sample.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { freePort } from "../net.js";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { sampleLog, startWebhookReceiver } from "./alerts-fixture.js";

const SECRET = "alerts-webhook-secret-0123456789";
type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/**
 * Issue 14's "done when": with a real SMTP server and a real HTTP receiver,
 * an alert fires, notifies once, stays quiet through its cooldown, resolves
 * and notifies again. Threats: an outage announced never, or a hundred times
 * (every evaluation, every instance, every restart), and a receiver that is
 * down taking the alert with it.
 */
describe.each(availableDialects())("alerts end to end (%s)", (dialect) => {
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  let receiver: Receiver | undefined;
  const services: AlertService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    await t?.close();
    await sink?.stop();
    await receiver?.close();
    t = sink = receiver = undefined;
  });

  async function setUp(
    options: {
      env?: Record<string, string>;
      webhookUrl?: string;
      respond?: (attempt: number) => number | "hang";
    } = {},
  ) {
    const clock = fixedClock();
    sink = await startSmtpSink();
    receiver = await startWebhookReceiver({ secret: SECRET, respond: options.respond });
    t = await createTestApp({
      dialect,
      clock,
      env: {
        APP_URL: "https://app.example.com",
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(sink.port),
        MAIL_FROM: "Bastion <alerts@bastion.example>",
        ALERT_EMAIL_TO: "ops@example.com, oncall@example.com",
        ALERT_WEBHOOK_URL: options.webhookUrl ?? receiver.url,
        ALERT_WEBHOOK_SECRET: SECRET,
        ALERT_RULES: "error_rate.for=1m,error_rate.cooldown=3m",
        ...options.env,
      },
    });
    const log = sampleLog(clock);
    const app = t;
    const service = (holder = "instance-a") => {
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
    /** The next 10-second sample, then an evaluation by `s`. */
    const tick = async (s: AlertService, figures: Partial<Sample>) => {
      clock.advance(10_000);
      log.push(figures);
      return s.evaluateNow();
    };
    const mailSent = async () => (await app.deps.outbox.runOnce()).sent;
    return { t: app, clock, log, service, tick, mailSent };
  }

  const BAD = { requests: 60, errors: 12 }; // 20 % of 5xx
  const GOOD = { requests: 10_000, errors: 0 };

  it("fires after `for`, notifies once on each channel, stays quiet through the cooldown, resolves and notifies again", async () => {
    const { t, service, tick, mailSent } = await setUp();
    const hook = receiver as Receiver;
    const smtp = sink as SmtpSink;
    const alerts = service();

    // Pending from the second sample (the first 100 requests), but not yet for a minute.
    for (let i = 0; i < 7; i++) expect(await tick(alerts, BAD)).toBe(true);
    expect(await alerts.active()).toEqual([]);
    const pending = (await alerts.rules()).find((r) => r.name === "error_rate");
    expect(pending?.pendingSince).toBeInstanceOf(Date);
    expect(pending?.lastValue).toBe(20);
    expect(hook.received).toHaveLength(0);

    // A minute after it started holding: fires.
    await tick(alerts, BAD);
    const [fired] = await alerts.active();
    expect(fired).toMatchObject({
      rule: "error_rate",
      severity: "critical",
      state: "firing",
      value: 20,
      threshold: 5,
      unit: "%",
      summary: "Error rate 20 % over 5 min (above threshold 5 %)",
      notifications: 1,
    });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.signatureOk).toBe(true);
    expect(hook.received[0]?.body).toMatchObject({
      status: "firing",
      rule: "error_rate",
      severity: "critical",
      value: 20,
      threshold: 5,
      unit: "%",
      text: expect.stringContaining("[Bastion] FIRING critical: Error rate 20 %"),
      url: "https://app.example.com/admin/monitoring",
    });
    expect(await mailSent()).toBe(2);
    expect(smtp.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([
      "oncall@example.com",
      "ops@example.com",
    ]);
    expect(smtp.messages[0]?.subject).toBe("[Bastion] FIRING critical: Error rate 20 %");
    expect(smtp.messages[0]?.text).toContain("https://app.example.com/admin/monitoring");
    expect(
      t.logs.filter((l) => l.msg === `alert fired (Bastion): error_rate: ${fired?.summary}`),
    ).toHaveLength(1);

    // Still firing, 16 more evaluations (2 min 40 s): inside the 3-minute cooldown, nothing more is sent.
    for (let i = 0; i < 16; i++) await tick(alerts, BAD);
    expect(hook.received).toHaveLength(1);
    expect(await mailSent()).toBe(0);
    expect((await alerts.active())[0]?.notifications).toBe(1);

    // The errors stop: the rate falls under 5 % and the alert resolves, announced once.
    await tick(alerts, GOOD);
    expect(await alerts.active()).toEqual([]);
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]?.signatureOk).toBe(true);
    expect(hook.received[1]?.body).toMatchObject({
      status: "resolved",
      kind: "resolved",
      id: fired?.id,
      resolvedAt: expect.any(String),
      text: expect.stringMatching(/^\[Bastion\] RESOLVED critical: Error rate 2\.5 %/),
    });
    expect(await mailSent()).toBe(2);
    expect(smtp.messages.at(-1)?.subject).toMatch(/^\[Bastion\] RESOLVED critical: Error rate/);
    const [record] = await alerts.history({ limit: 10 });
    expect(record).toMatchObject({
      id: fired?.id,
      state: "resolved",
      notifications: 2,
      resolvedAt: expect.any(Date),
    });

    // Calm from then on: nothing more.
    for (let i = 0; i < 5; i++) await tick(alerts, GOOD);
    expect(hook.received).toHaveLength(2);
    expect(await mailSent()).toBe(0);
  });

  it("reminds once per cooldown while an alert keeps firing", async () => {
    const { service, tick } = await setUp({
      env: { ALERT_RULES: "error_rate.for=0,error_rate.cooldown=2m" },
    });
    const hook = receiver as Receiver;
    const alerts = service();
    await tick(alerts, BAD);
    await tick(alerts, BAD); // 100+ requests from here: fires
    expect(hook.received.map((r) => r.body.kind)).toEqual(["fired"]);
    for (let i = 0; i < 12; i++) await tick(alerts, BAD); // 2 minutes later
    expect(hook.received.map((r) => r.body.kind)).toEqual(["fired", "reminder"]);
    expect(hook.received[1]?.body.text).toMatch(/^\[Bastion\] STILL FIRING critical/);
    expect((await alerts.active())[0]?.notifications).toBe(2);
  });

  it.each([
    ["down (connection refused)", "down"],
    ["slow (beyond the timeout)", "hang"],
    ["failing (500)", 500],
  ] as const)(
    "a receiver that is %s gets bounded attempts; the alert is still recorded and mailed",
    async (_what, fate) => {
      const { t, service, tick, mailSent } = await setUp({
        webhookUrl: fate === "down" ? `http://127.0.0.1:${await freePort()}/hook` : undefined,
        respond: fate === "down" ? undefined : () => fate,
        env: {
          ALERT_RULES: "error_rate.for=0",
          ALERT_WEBHOOK_TIMEOUT_MS: "200",
          ALERT_WEBHOOK_RETRIES: "2",
        },
      });
      const alerts = service();
      await tick(alerts, BAD);
      expect(await tick(alerts, BAD)).toBe(true);
      if (fate !== "down") expect((receiver as Receiver).attempts()).toBe(3);
      const [alert] = await t.deps.alerts.active();
      expect(alert).toMatchObject({ rule: "error_rate", state: "firing", notifications: 1 });
      expect(await mailSent()).toBe(2);
      const failed = t.logs.filter((l) => l.msg === "alert webhook not delivered");
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ attempts: 3, delivered: false });
      const metrics = await t.deps.metrics.registry.getSingleMetricAsString(
        "alert_notifications_total",
      );
      expect(metrics).toContain('alert_notifications_total{channel="webhook",outcome="failed"} 1');
      expect(metrics).toContain('alert_notifications_total{channel="email",outcome="queued"} 1');
    },
  );
});
