import { afterEach, describe, expect, inject, it } from "vitest";
import { createAlertService } from "../../src/alerts/service.js";
import type { Db } from "../../src/db/db.js";
import { createMigrator } from "../../src/db/migrate.js";
import { openPostgres } from "../../src/db/postgres.js";
import { fixedClock } from "../../src/lib/clock.js";
import { systemRandom } from "../../src/lib/random.js";
import { createMetrics } from "../../src/monitoring/metrics.js";
import { load } from "../config-fixture.js";
import { captureLogger } from "../logs.js";
import { createPgSchema, type PgSchema } from "../pg.js";
import { startTcpProxy, type TcpProxy } from "../tcp-proxy.js";
import { sampleLog, startWebhookReceiver } from "./alerts-fixture.js";

const SECRET = "alerts-webhook-secret-0123456789";

/**
 * Threat: the database goes away, and with it the lease and the alerts
 * table, so the alert that matters most (database_unreachable) could never
 * be stored, let alone sent. The evaluator then announces it through the
 * channels that need no database (the log and the webhook), once, and the
 * resolution when the database answers again. PostgreSQL behind a TCP proxy
 * the test cuts: a real network outage.
 */
describe.runIf(inject("pgUrl"))("alerts while the database is unreachable", () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  it("announces database_unreachable by webhook and log once, then its resolution", async () => {
    const base = inject("pgUrl") as string;
    const schema: PgSchema = await createPgSchema(base);
    cleanup.push(schema.drop);
    const proxy: TcpProxy = await startTcpProxy(base);
    cleanup.push(proxy.stop);
    const url = new URL(schema.url);
    const proxied = new URL(proxy.url);
    url.host = proxied.host;
    const db: Db = await openPostgres({
      url: url.toString(),
      schema: schema.schema,
      poolMax: 2,
      connectTimeoutMs: 500,
    });
    cleanup.push(() => db.close());
    await createMigrator(db).up();
    const receiver = await startWebhookReceiver({ secret: SECRET });
    cleanup.push(receiver.close);

    const clock = fixedClock();
    const { logger, lines } = captureLogger();
    const config = load({
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_RULES: "database_unreachable.for=20s",
    });
    const samples = sampleLog(clock);
    const alerts = createAlertService({
      db,
      clock,
      random: systemRandom(),
      logger,
      config,
      health: { results: () => [] },
      samples,
      outbox: { enqueue: async () => "" },
      registry: createMetrics({ defaultMetrics: false }).registry,
      holder: "instance-a",
      webhookRetryDelayMs: () => 1,
    });
    cleanup.push(() => alerts.stop());
    expect(await alerts.evaluateNow()).toBe(true);

    await proxy.stop(); // the network to the database is gone
    for (let i = 0; i < 4; i++) {
      clock.advance(10_000);
      await expect(alerts.evaluateNow()).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
    }
    // 30 s of failures, past `for` (20 s): announced once, not on every failed evaluation.
    expect(receiver.received.map((r) => r.body.kind)).toEqual(["fired"]);
    expect(receiver.received[0]?.signatureOk).toBe(true);
    expect(receiver.received[0]?.body).toMatchObject({
      status: "firing",
      rule: "database_unreachable",
      severity: "critical",
      summary: expect.stringContaining("Database unreachable from instance-a"),
    });
    expect(lines.filter((l) => String(l.msg).startsWith("alert fired"))).toHaveLength(1);

    await proxy.start(); // back
    clock.advance(10_000);
    expect(await alerts.evaluateNow()).toBe(true);
    expect(receiver.received.map((r) => r.body.kind)).toEqual(["fired", "resolved"]);
    clock.advance(10_000);
    await alerts.evaluateNow();
    expect(receiver.received).toHaveLength(2);
  });
});
