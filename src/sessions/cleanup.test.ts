import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { leaseHolder } from "../jobs/lease.js";
import { type CleanupJob, createCleanupJob, SESSION_CLEANUP_LEASE } from "./cleanup.js";

/**
 * Threat: every instance on one database runs the cleanup on its own timer,
 * so a fleet of N does N passes a tick (N times the deletes' locks and
 * scans). Two jobs on one database play two instances; the timed passes
 * go to the lease holder only. test/flows/cluster-scale-out.test.ts proves
 * the same with three real processes.
 */
describe("session cleanup under a lease", () => {
  let t: TestApp | undefined;
  const jobs: CleanupJob[] = [];
  afterEach(async () => {
    for (const job of jobs.splice(0)) await job.stop();
    await t?.close();
    t = undefined;
  });

  function job(app: TestApp, holder: string): CleanupJob {
    const created = createCleanupJob({ ...app.deps, holder });
    jobs.push(created);
    return created;
  }

  const decisions = (app: TestApp, holder: string) =>
    app.logs
      .filter((l) => l.job === SESSION_CLEANUP_LEASE && l.holder === holder)
      .map((l) => l.msg);

  async function until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  }

  it("of two instances ticking, one runs every pass and the other skips", async () => {
    t = await createTestApp({ logLevel: "debug" });
    const app = t;
    job(app, "a").start(30);
    job(app, "b").start(30);
    await until(() => decisions(app, "a").length + decisions(app, "b").length >= 6);
    const ran = ["a", "b"].filter((h) => decisions(app, h).includes("job ran"));
    expect(ran).toHaveLength(1);
    const other = ran[0] === "a" ? "b" : "a";
    expect(new Set(decisions(app, other))).toEqual(
      new Set(["job skipped: another instance holds its lease"]),
    );
    expect((await leaseHolder(app.deps.db, SESSION_CLEANUP_LEASE))?.holder).toBe(ran[0]);
  });

  it("a clean stop hands the lease over: the other instance runs the next pass", async () => {
    t = await createTestApp({ logLevel: "debug" });
    const app = t;
    const a = job(app, "a");
    a.start(30);
    await until(() => decisions(app, "a").includes("job ran"));
    await a.stop();
    job(app, "b").start(30);
    await until(() => decisions(app, "b").includes("job ran"));
    expect(decisions(app, "b")).toContain("job ran");
    expect((await leaseHolder(app.deps.db, SESSION_CLEANUP_LEASE))?.holder).toBe("b");
  });

  it("runOnce (tests, the admin's maintenance page) runs whoever holds the lease", async () => {
    t = await createTestApp({ logLevel: "debug" });
    const app = t;
    job(app, "a").start(30);
    await until(() => decisions(app, "a").includes("job ran"));
    expect(await job(app, "b").runOnce()).toEqual({ sessions: 0, tokens: 0, loginAttempts: 0 });
  });
});
