import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { availableDialects } from "../../test/harness.js";
import {
  fixedClock,
  flakyMailer,
  gatedMailer,
  makeOutbox,
  message,
  openOutboxDb,
  rows,
} from "../../test/outbox-fixture.js";
import type { Db } from "../db/db.js";
import type { FixedClock } from "../lib/clock.js";
import { MailError } from "./mailer.js";

describe.each(availableDialects())("mail outbox on %s", (dialect) => {
  let env: Awaited<ReturnType<typeof openOutboxDb>>;
  let db: Db;
  let clock: FixedClock;
  beforeEach(async () => {
    env = await openOutboxDb(dialect);
    db = env.db;
    clock = fixedClock("2026-01-15T12:00:00.000Z");
  });
  afterEach(async () => {
    await env.close();
  });

  it("threat: an action that rolls back leaves no mail behind (enqueue joins the caller's transaction)", async () => {
    const { outbox, mailer } = makeOutbox(db, clock);
    const boom = new Error("the action failed after enqueueing");
    await expect(
      db.transaction(async (tx) => {
        await outbox.enqueue(tx, message(1));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await rows(db)).toEqual([]);
    expect(await outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(mailer.messages()).toEqual([]);
  });

  it("a committed mail is sent once: status sent, sent_at, message_id, attempts 1", async () => {
    const { outbox, mailer } = makeOutbox(db, clock);
    const id = await db.transaction((tx) =>
      outbox.enqueue(tx, { ...message(1), userId: "user-1" }),
    );
    const [pending] = await rows(db);
    expect(pending).toMatchObject({ id, status: "pending", attempts: 0, user_id: "user-1" });
    expect(pending?.next_attempt_at).toEqual(clock.now());

    expect(await outbox.runOnce()).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(await outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    const [got, ...more] = mailer.messages();
    expect(more).toEqual([]);
    expect(got).toMatchObject({
      to: "user1@example.test",
      subject: "Mail 1",
      text: "Text 1",
      html: "<p>Html 1</p>",
    });
    const [sent] = await rows(db);
    expect(sent).toMatchObject({
      status: "sent",
      attempts: 1,
      locked_until: null,
      message_id: got?.messageId,
    });
    expect(sent?.sent_at).toEqual(clock.now());
  });

  it("enqueue also works outside a transaction, with db itself", async () => {
    const { outbox } = makeOutbox(db, clock);
    await outbox.enqueue(db, message(1));
    expect((await outbox.runOnce()).sent).toBe(1);
  });

  it("a mail enqueued with send: false is kept as 'suppressed' and never sent", async () => {
    const { outbox, mailer } = makeOutbox(db, clock);
    await outbox.enqueue(db, { ...message(1), send: false });
    clock.advance(24 * 60 * 60_000);
    expect(await outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(mailer.messages()).toEqual([]);
    expect((await rows(db)).map((r) => r.status)).toEqual(["suppressed"]);
  });

  it("threat: a recipient list or header injection is refused at enqueue, failing the action", async () => {
    const { outbox } = makeOutbox(db, clock);
    await expect(
      db.transaction((tx) =>
        outbox.enqueue(tx, { ...message(1), to: "a@example.test, b@example.test" }),
      ),
    ).rejects.toBeInstanceOf(MailError);
    expect(await rows(db)).toEqual([]);
  });

  it("threat: concurrent runs (two loops, two senders) never send a row twice", async () => {
    const a = makeOutbox(db, clock, { batchSize: 50 });
    const b = makeOutbox(db, clock, { batchSize: 50 });
    for (let n = 0; n < 25; n++) await a.outbox.enqueue(db, message(n));
    const reports = await Promise.all([
      a.outbox.runOnce(),
      b.outbox.runOnce(),
      a.outbox.runOnce(),
      b.outbox.runOnce(),
    ]);
    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(25);
    const subjects = [...a.mailer.messages(), ...b.mailer.messages()].map((m) => m.subject);
    expect(subjects).toHaveLength(25);
    expect(new Set(subjects).size).toBe(25);
    expect((await rows(db)).every((r) => r.status === "sent")).toBe(true);
  });

  it("threat: two instances (separate Db objects on the same data) never send a row twice", async () => {
    const other = await env.another();
    const a = makeOutbox(db, clock, { batchSize: 50 });
    const b = makeOutbox(other, clock, { batchSize: 50 });
    for (let n = 0; n < 25; n++) await a.outbox.enqueue(db, message(n));
    // A conflict may abort a run on DuckDB (two writers on one file); it must never duplicate.
    await Promise.allSettled([
      a.outbox.runOnce(),
      b.outbox.runOnce(),
      a.outbox.runOnce(),
      b.outbox.runOnce(),
    ]);
    await Promise.all([a.outbox.runOnce(), b.outbox.runOnce()]);
    const subjects = [...a.mailer.messages(), ...b.mailer.messages()].map((m) => m.subject);
    expect(subjects.sort()).toEqual(Array.from({ length: 25 }, (_, n) => `Mail ${n}`).sort());
    expect((await rows(db)).every((r) => r.status === "sent")).toBe(true);
  });

  it("a failure backs off: not retried before next_attempt_at, retried at it", async () => {
    const f = makeOutbox(db, clock, { wrap: (capture) => flakyMailer(capture, 1) });
    await f.outbox.enqueue(db, message(1));
    expect(await f.outbox.runOnce()).toEqual({ sent: 0, failed: 1, dead: 0 });
    const [failed] = await rows(db);
    expect(failed).toMatchObject({ status: "pending", attempts: 1, locked_until: null });
    expect(failed?.last_error).toBe("ESOCKET: connect ECONNREFUSED 127.0.0.1:2525");
    // First retry: 30 s · 2^1 = 60 s, ±20 % jitter.
    const delay = (failed?.next_attempt_at.getTime() ?? 0) - clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(48_000);
    expect(delay).toBeLessThanOrEqual(72_000);

    clock.set(new Date((failed?.next_attempt_at.getTime() ?? 0) - 1));
    expect(await f.outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    clock.advance(1);
    expect(await f.outbox.runOnce()).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(f.mailer.messages()).toHaveLength(1);
    expect((await rows(db))[0]).toMatchObject({ status: "sent", attempts: 2 });
    const warn = f.logs.find((l) => l.msg === "mail delivery failed");
    expect(warn).toMatchObject({ level: 40, attempts: 1, template: "verification" });
    expect(JSON.stringify(warn)).not.toContain("user1@example.test");
  });

  it("gives up after maxAttempts: dead, logged at error, audited, counted", async () => {
    const f = makeOutbox(db, clock, {
      maxAttempts: 3,
      wrap: (capture) => flakyMailer(capture, 99),
    });
    await f.outbox.enqueue(db, { ...message(1), userId: "user-1" });
    const reports = [];
    for (let i = 0; i < 4; i++) {
      reports.push(await f.outbox.runOnce());
      clock.advance(2 * 3_600_000);
    }
    expect(reports).toEqual([
      { sent: 0, failed: 1, dead: 0 },
      { sent: 0, failed: 1, dead: 0 },
      { sent: 0, failed: 0, dead: 1 },
      { sent: 0, failed: 0, dead: 0 },
    ]);
    expect((await rows(db))[0]).toMatchObject({ status: "dead", attempts: 3, locked_until: null });
    expect(f.logs.find((l) => l.msg?.toString().startsWith("mail dead"))).toMatchObject({
      level: 50,
      userId: "user-1",
    });
    const audit = await db.query<{ type: string; target_id: string }>(
      "SELECT type, target_id FROM audit_events WHERE type = 'mail_dead'",
    );
    expect(audit).toEqual([{ type: "mail_dead", target_id: "user-1" }]);
    const metric = await f.metrics.registry.getSingleMetricAsString("mail_sent_total");
    expect(metric).toContain('mail_sent_total{status="failed"} 2');
    expect(metric).toContain('mail_sent_total{status="dead"} 1');
  });

  it("counts sent mail in mail_sent_total{status}", async () => {
    const f = makeOutbox(db, clock);
    await f.outbox.enqueue(db, message(1));
    await f.outbox.enqueue(db, message(2));
    await f.outbox.runOnce();
    expect(await f.metrics.registry.getSingleMetricAsString("mail_sent_total")).toContain(
      'mail_sent_total{status="sent"} 2',
    );
  });

  it("a claim whose sender died is taken over after the lease: at-least-once, not lost", async () => {
    const f = makeOutbox(db, clock, { leaseMs: 60_000 });
    const id = await f.outbox.enqueue(db, message(1));
    // What a crash mid-send leaves behind: claimed, attempts counted, never settled.
    await db.execute(
      "UPDATE mail_outbox SET status = 'sending', attempts = 1, locked_until = $2 WHERE id = $1",
      [id, new Date(clock.now().getTime() + 60_000)],
    );
    expect((await f.outbox.runOnce()).sent).toBe(0); // lease still running
    clock.advance(60_001);
    expect((await f.outbox.runOnce()).sent).toBe(1);
    expect((await rows(db))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("a lease that expires during the last attempt ends dead without a try past the cap", async () => {
    const f = makeOutbox(db, clock, { maxAttempts: 2 });
    const id = await f.outbox.enqueue(db, message(1));
    await db.execute(
      "UPDATE mail_outbox SET status = 'sending', attempts = 2, locked_until = $2 WHERE id = $1",
      [id, new Date(clock.now().getTime() - 1)],
    );
    expect(await f.outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 1 });
    expect(f.mailer.messages()).toEqual([]);
  });

  it("threat: a stale sender's late failure cannot undo another sender's delivery", async () => {
    const gate = gatedMailer();
    const slow = makeOutbox(db, clock, { leaseMs: 60_000, wrap: () => gate.mailer });
    const fast = makeOutbox(db, clock, { leaseMs: 60_000 });
    await slow.outbox.enqueue(db, message(1));
    const stale = slow.outbox.runOnce();
    await gate.started;
    clock.advance(60_001); // slow's lease runs out while it hangs
    expect((await fast.outbox.runOnce()).sent).toBe(1);
    gate.release(false);
    expect(await stale).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect((await rows(db))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("start runs in the background, wake runs at once, stop waits for the batch in flight", async () => {
    const f = makeOutbox(db, clock);
    await f.outbox.enqueue(db, message(1));
    f.outbox.start(60_000);
    await waitFor(() => f.mailer.messages().length === 1);
    // The next poll is a minute away; wake() brings it forward.
    await f.outbox.enqueue(db, message(2));
    f.outbox.wake();
    await waitFor(() => f.mailer.messages().length === 2);
    await f.outbox.stop();

    const gate = gatedMailer();
    const g = makeOutbox(db, clock, { wrap: () => gate.mailer });
    await g.outbox.enqueue(db, message(3));
    g.outbox.start(60_000);
    await gate.started;
    let stopped = false;
    const stopping = g.outbox.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    gate.release(true);
    await stopping;
    expect((await rows(db)).find((r) => r.status !== "sent")).toBeUndefined();
  });
});

/** Polls until `condition` holds; the deadline only guards against a hang, it measures nothing. */
async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
