import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { leaseHolder } from "../jobs/lease.js";
import { AUDIT_RETENTION_LEASE, createAuditJobs } from "./jobs.js";
import { verifyChain } from "./verify.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const METRICS_TOKEN = "m".repeat(32);

describe("audit jobs", () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  function jobsOf(app: TestApp, retentionDays = 30) {
    return createAuditJobs({ ...app.deps, retentionDays, anchorLogMinutes: 60 });
  }

  it("retention deletes what is older than AUDIT_RETENTION_DAYS, records it, and the chain verifies", async () => {
    t = await createTestApp();
    for (let i = 0; i < 3; i++) await t.deps.audit.record({ type: "logout", outcome: "success" });
    t.clock.advance(40 * DAY_MS);
    await t.deps.audit.record({ type: "logout", outcome: "success" });

    const result = await jobsOf(t).runRetention();
    expect(result.rows).toBe(3);
    const [pruned] = await t.deps.audit.list({ type: "audit_pruned" });
    expect(pruned?.details).toMatchObject({ rows: 3, anchorSeq: 3 });
    expect(await verifyChain(t.deps.db)).toMatchObject({ ok: true, anchorSeq: 3, rows: 2 });
    // Nothing more to delete: no second audit_pruned.
    expect((await jobsOf(t).runRetention()).rows).toBe(0);
    expect(await t.deps.audit.list({ type: "audit_pruned" })).toHaveLength(1);
  });

  it("logs the chain's head, the line an operator ships out of the database's reach", async () => {
    t = await createTestApp();
    await t.deps.audit.record({ type: "logout", outcome: "success" });
    await jobsOf(t).logHead();
    const line = t.logs.find((l) => l.msg === "audit chain head");
    const report = await verifyChain(t.deps.db);
    expect(line?.auditChain).toEqual({ seq: report.headSeq, hash: report.headHash, anchorSeq: 0 });
  });

  it("start is idempotent and stop waits for nothing left running", async () => {
    t = await createTestApp();
    const jobs = jobsOf(t);
    jobs.start();
    jobs.start();
    await jobs.stop();
    await jobs.stop();
  });

  it("threat: every instance prunes on its own timer; of two started at once, one runs retention", async () => {
    t = await createTestApp({ logLevel: "debug" });
    const app = t;
    const started = ["a", "b"].map((holder) =>
      createAuditJobs({
        ...app.deps,
        holder,
        firstRunMs: 10,
        retentionDays: 30,
        anchorLogMinutes: 0,
      }),
    );
    for (const jobs of started) jobs.start();
    const decisions = () => app.logs.filter((l) => l.job === AUDIT_RETENTION_LEASE);
    for (let i = 0; i < 200 && decisions().length < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const ran = decisions().filter((l) => l.msg === "job ran");
    expect(ran).toHaveLength(1);
    expect(decisions().map((l) => l.msg)).toContain(
      "job skipped: another instance holds its lease",
    );
    expect((await leaseHolder(app.deps.db, AUDIT_RETENTION_LEASE))?.holder).toBe(ran[0]?.holder);
    // A clean stop hands it over at once.
    for (const jobs of started) await jobs.stop();
    expect((await leaseHolder(app.deps.db, AUDIT_RETENTION_LEASE))?.expiresAt).toEqual(
      app.clock.now(),
    );
  });

  it("counts every event in /metrics as audit_events_total{type,outcome}", async () => {
    t = await createTestApp({ env: { METRICS_TOKEN } });
    await t.deps.audit.record({ type: "logout", outcome: "success" });
    await t.deps.audit.record({ type: "logout", outcome: "success" });
    const res = await t.client.get("/metrics", { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^audit_events_total\{type="logout",outcome="success"\} 2$/m);
  });
});
