import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { availableDialects } from "../../test/harness.js";
import { fixedClock, makeOutbox, message, openOutboxDb, rows } from "../../test/outbox-fixture.js";
import type { Db } from "../db/db.js";
import type { FixedClock } from "../lib/clock.js";
import { MailError, type Mailer } from "./mailer.js";
import { withoutAddress } from "./outbox-sender.js";

/** A server that refuses every message, quoting the recipient as real servers do. */
function refusingMailer(inner: Mailer): Mailer {
  return {
    kind: inner.kind,
    async send(mail) {
      throw new MailError("EENVELOPE", `550 5.1.1 <${mail.to}>: Recipient address rejected`);
    },
    close: () => inner.close(),
  };
}

const TO = "Farewell.Person@Example.test";

describe.each(availableDialects())("outbox forgetAfterSend on %s", (dialect) => {
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

  it("a row to forget is delivered like any other, then deleted; other rows stay as 'sent'", async () => {
    const { outbox, mailer } = makeOutbox(db, clock);
    await db.transaction(async (tx) => {
      await outbox.enqueue(tx, { ...message(1), to: TO, forgetAfterSend: true });
      await outbox.enqueue(tx, message(2));
    });
    expect((await rows(db)).map((r) => [r.to_address, r.status, r.forget_after_send])).toEqual(
      expect.arrayContaining([
        [TO, "pending", true],
        ["user2@example.test", "pending", false],
      ]),
    );
    expect(await outbox.runOnce()).toEqual({ sent: 2, failed: 0, dead: 0 });
    expect(
      mailer
        .messages()
        .map((m) => m.to)
        .sort(),
    ).toEqual([TO, "user2@example.test"].sort());
    const left = await rows(db);
    expect(left.map((r) => [r.to_address, r.status])).toEqual([["user2@example.test", "sent"]]);
  });

  it("threat: a refused row to forget keeps no address: not in last_error while retried, and gone when dead (audit and log scrubbed)", async () => {
    const { outbox, logs } = makeOutbox(db, clock, {
      maxAttempts: 2,
      wrap: refusingMailer,
    });
    await db.transaction((tx) =>
      outbox.enqueue(tx, { ...message(1), to: TO, userId: null, forgetAfterSend: true }),
    );
    expect(await outbox.runOnce()).toEqual({ sent: 0, failed: 1, dead: 0 });
    const [retrying] = await rows(db);
    expect(retrying?.last_error).toBe("550 5.1.1 <[recipient]>: Recipient address rejected");
    clock.advance(24 * 3_600_000);
    expect(await outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 1 });
    expect(await rows(db)).toEqual([]);
    const audit = await db.query<{ details: unknown }>(
      "SELECT details FROM audit_events WHERE type = 'mail_dead'",
    );
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).toContain("[recipient]");
    expect(JSON.stringify(audit).toLowerCase()).not.toContain(TO.toLowerCase());
    expect(JSON.stringify(logs).toLowerCase()).not.toContain(TO.toLowerCase());
  });

  it("a refused ordinary row keeps its error as is, and stays as 'dead' for the operator", async () => {
    const { outbox } = makeOutbox(db, clock, { maxAttempts: 1, wrap: refusingMailer });
    await db.transaction((tx) => outbox.enqueue(tx, message(3)));
    expect(await outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 1 });
    const [dead] = await rows(db);
    expect(dead).toMatchObject({
      status: "dead",
      last_error: "550 5.1.1 <user3@example.test>: Recipient address rejected",
    });
  });
});

describe("withoutAddress", () => {
  it("replaces every occurrence in any case, and treats the address literally (no regex)", () => {
    expect(withoutAddress("to A.B@x.io and a.b@X.IO", "a.b@x.io")).toBe(
      "to [recipient] and [recipient]",
    );
    expect(withoutAddress("aXb@x.io", "a.b@x.io")).toBe("aXb@x.io");
    expect(withoutAddress("(a+b)*@x.io!", "(a+b)*@x.io")).toBe("[recipient]!");
    expect(withoutAddress("nothing here", "")).toBe("nothing here");
  });
});
