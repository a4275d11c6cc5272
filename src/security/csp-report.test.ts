import { Hono } from "hono";
import type { Counter } from "prom-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { legacyReport, reportingApiBatch } from "../../test/csp-reports.js";
import { createTestApp, type TestApp } from "../../test/harness.js";
import type { AuditRecorder } from "../audit/audit.js";
import { createErrorHandler } from "../errors.js";
import { fixedClock } from "../lib/clock.js";
import { systemRandom } from "../lib/random.js";
import { createLogger } from "../monitoring/logger.js";
import { createMetrics } from "../monitoring/metrics.js";
import { CSP_REPORT_MAX_BYTES, createCspReportRoutes } from "./csp-report.js";

/** A 10 MiB body produced only as fast as the server reads it, without Content-Length. */
function endlessBody() {
  let sent = 0;
  const chunk = new Uint8Array(1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      sent += chunk.byteLength;
      controller.enqueue(chunk);
      if (sent > 10 * 1024 * 1024) controller.close();
    },
  });
  return { stream, sent: () => sent };
}

function chunkedPost(stream: ReadableStream<Uint8Array>): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/csp-report" },
    body: stream,
    duplex: "half",
  } as RequestInit;
}

function post(t: TestApp, body: string, contentType = "application/csp-report") {
  return t.newClient().request("/csp-report", {
    method: "POST",
    headers: { "Content-Type": contentType, "User-Agent": "TestBrowser/1.0" },
    body,
  });
}

async function countByDirective(t: { deps: TestApp["deps"] }): Promise<Record<string, number>> {
  const counter = t.deps.metrics.registry.getSingleMetric("csp_violations_total") as Counter;
  const out: Record<string, number> = {};
  for (const v of (await counter.get()).values) out[String(v.labels.directive)] = v.value;
  return out;
}

describe("POST /csp-report on the real app", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    // Fresh rate-limit windows and a clean audit-dedupe hour for every test.
    t.clock.advance(2 * 60 * 60 * 1000);
  });

  it("counts, logs and audits a report-uri report, then answers 204", async () => {
    const before = (await countByDirective(t))["script-src-elem"] ?? 0;
    const res = await post(t, JSON.stringify(legacyReport()));
    expect(res.status).toBe(204);
    expect((await countByDirective(t))["script-src-elem"]).toBe(before + 1);

    const line = t.logs.findLast((l) => l.msg === "csp violation");
    expect(line?.cspViolation).toEqual({
      directive: "script-src-elem",
      blockedUri: "inline",
      documentPath: "/auth/reset-password",
      disposition: "enforce",
    });
    // Threat: a report echoing a reset link must not copy its token into logs or the audit trail.
    expect(JSON.stringify(t.logs)).not.toContain("SECRET-RESET-TOKEN");

    const [event] = await t.deps.audit.list({ type: "csp_violation", limit: 1 });
    expect(event).toMatchObject({
      type: "csp_violation",
      outcome: "denied",
      userAgent: "TestBrowser/1.0",
      details: {
        directive: "script-src-elem",
        blockedUri: "inline",
        documentPath: "/auth/reset-password",
      },
    });
    expect(event?.requestId).toBeTruthy();
  });

  it("accepts a Reporting API batch and ignores other report types", async () => {
    const before = await countByDirective(t);
    const res = await post(t, JSON.stringify(reportingApiBatch()), "application/reports+json");
    expect(res.status).toBe(204);
    const after = await countByDirective(t);
    expect(after["script-src-elem"]).toBe((before["script-src-elem"] ?? 0) + 1);
    expect(after["style-src-attr"]).toBe((before["style-src-attr"] ?? 0) + 1);
    const lines = t.logs.filter((l) => l.msg === "csp violation").slice(-2);
    expect(lines.map((l) => l.cspViolation)).toEqual([
      {
        directive: "script-src-elem",
        blockedUri: "https://evil.example/x.js",
        documentPath: "/dashboard",
        disposition: "enforce",
      },
      {
        directive: "style-src-attr",
        blockedUri: "inline",
        documentPath: "/account",
        disposition: "report",
      },
    ]);
  });

  it("accepts application/json (polyfills) in either shape", async () => {
    expect(
      (await post(t, JSON.stringify(legacyReport()), "application/json; charset=utf-8")).status,
    ).toBe(204);
    expect((await post(t, JSON.stringify(reportingApiBatch()), "application/json")).status).toBe(
      204,
    );
  });

  it("rejects an oversize body with 413 (declared length)", async () => {
    const res = await post(t, "x".repeat(CSP_REPORT_MAX_BYTES + 1));
    expect(res.status).toBe(413);
  });

  it("rejects an oversize chunked body with 413 while streaming (threat: memory exhaustion)", async () => {
    const body = endlessBody();
    const res = await t.app.request("/csp-report", chunkedPost(body.stream));
    expect(res.status).toBe(413);
    // Stream queues read a little ahead; what matters is stopping near the cap, not at 10 MiB.
    expect(body.sent()).toBeLessThan(256 * 1024);
  });

  it("answers 400, never 500, for malformed bodies", async () => {
    for (const body of ["{not json", "", "[1,2", '{"a":1}', "42", "null"]) {
      expect((await post(t, body)).status, body).toBe(400);
    }
    // Invalid UTF-8 is malformed too.
    const res = await t.app.request("/csp-report", {
      method: "POST",
      headers: { "Content-Type": "application/csp-report" },
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(res.status).toBe(400);
  });

  it("answers 415 for other content types", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "text/html"]) {
      expect((await post(t, JSON.stringify(legacyReport()), type)).status, type).toBe(415);
    }
  });

  it("audits one (directive, blocked-uri) pair at most once per hour (threat: audit flooding)", async () => {
    const auditCount = async () =>
      (await t.deps.audit.list({ type: "csp_violation", limit: 1000 })).length;
    const start = await auditCount();
    const report = JSON.stringify(legacyReport({ "blocked-uri": "https://cdn.example/a.js" }));
    for (let i = 0; i < 5; i++) expect((await post(t, report)).status).toBe(204);
    expect(await auditCount()).toBe(start + 1);
    // Another blocked URI is another row.
    await post(t, JSON.stringify(legacyReport({ "blocked-uri": "https://cdn.example/b.js" })));
    expect(await auditCount()).toBe(start + 2);
    // The hour passes: the first pair is recorded again.
    t.clock.advance(60 * 60 * 1000 + 1);
    await post(t, report);
    expect(await auditCount()).toBe(start + 3);
  });

  it("is exempt from CSRF: a token-less report with a foreign Origin is accepted", async () => {
    const res = await t.newClient().request("/csp-report", {
      method: "POST",
      headers: {
        "Content-Type": "application/csp-report",
        Origin: "https://elsewhere.example",
        "Sec-Fetch-Site": "cross-site",
      },
      body: JSON.stringify(legacyReport()),
    });
    expect(res.status).toBe(204);
  });
});

describe("createCspReportRoutes options", () => {
  function isolatedApp(
    options: Parameters<typeof createCspReportRoutes>[1] = {},
    audit?: AuditRecorder,
  ) {
    const clock = fixedClock();
    const logger = createLogger({ level: "silent", pretty: false });
    const metrics = createMetrics({ defaultMetrics: false });
    const recorded: unknown[] = [];
    const deps = {
      config: { security: { trustProxy: { kind: "none" } } } as TestApp["deps"]["config"],
      clock,
      logger,
      metrics,
      audit:
        audit ??
        ({
          record: async (input) => {
            recorded.push(input);
            return {} as never;
          },
          list: async () => [],
        } satisfies AuditRecorder),
    };
    const app = new Hono();
    app.route("/", createCspReportRoutes(deps, options));
    app.onError(
      createErrorHandler({
        logger,
        random: systemRandom(),
        isProduction: true,
        renderPage: (c, view) => c.text(view.message, view.status),
      }),
    );
    const send = (body: unknown) =>
      app.request("/csp-report", {
        method: "POST",
        headers: { "Content-Type": "application/csp-report" },
        body: JSON.stringify(body),
      });
    return { app, send, recorded, metrics, clock };
  }

  it("runs the limiter before reading the report", async () => {
    const { send, recorded, metrics } = isolatedApp({
      limiter: async (c) => c.text("slow down", 429),
    });
    const res = await send(legacyReport());
    expect(res.status).toBe(429);
    expect(recorded).toEqual([]);
    const counter = metrics.registry.getSingleMetric("csp_violations_total") as Counter;
    expect((await counter.get()).values).toEqual([]);
  });

  it("caps audit rows per hour whatever the number of distinct reports", async () => {
    const { send, recorded, clock } = isolatedApp({ maxAuditsPerHour: 2 });
    for (let i = 0; i < 5; i++)
      await send(legacyReport({ "blocked-uri": `https://x.example/${i}.js` }));
    expect(recorded).toHaveLength(2);
    clock.advance(60 * 60 * 1000);
    await send(legacyReport({ "blocked-uri": "https://x.example/late.js" }));
    expect(recorded).toHaveLength(3);
  });

  it("stops reading a chunked body just past 16 KiB, with no other body limit in front", async () => {
    const { app } = isolatedApp();
    const body = endlessBody();
    const res = await app.request("/csp-report", chunkedPost(body.stream));
    expect(res.status).toBe(413);
    expect(body.sent()).toBeLessThan(CSP_REPORT_MAX_BYTES + 8 * 1024);
  });

  it("refuses a nonsensical audit budget at construction", () => {
    expect(() => isolatedApp({ maxAuditsPerHour: -1 })).toThrow(/maxAuditsPerHour/);
  });

  it("still answers 204 when the audit write fails", async () => {
    const failing: AuditRecorder = {
      record: () => Promise.reject(new Error("database down")),
      list: async () => [],
    };
    const { send } = isolatedApp({}, failing);
    expect((await send(legacyReport())).status).toBe(204);
  });

  it("uses the given client IP resolver for the audit row", async () => {
    const { send, recorded } = isolatedApp({ clientIp: () => "203.0.113.7" });
    await send(legacyReport());
    expect(recorded).toMatchObject([{ ip: "203.0.113.7", type: "csp_violation" }]);
  });
});
