import { afterEach, describe, expect, it } from "vitest";
import { seedUser } from "../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { flakyMailer } from "../../test/outbox-fixture.js";
import type { Mailer } from "./mailer.js";
import { MailError } from "./mailer.js";
import { createOutboxSender } from "./outbox-sender.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function sender(mailer: Mailer, maxAttempts = 3) {
  return createOutboxSender({
    db: t.deps.db,
    mailer,
    clock: t.clock,
    random: t.deps.random,
    logger: t.deps.logger,
    metrics: t.deps.metrics,
    audit: t.deps.audit,
    maxAttempts,
  });
}

const mail = (to: string, userId: string | null, extra: { forgetAfterSend?: boolean } = {}) => ({
  to,
  subject: "Confirm your address",
  text: "secret body text",
  html: "<p>secret body text</p>",
  template: "verification",
  userId,
  ...extra,
});

/** Every audit row's values as one string: what must never be there. */
async function auditText(): Promise<string> {
  const rows = await t.deps.db.query("SELECT * FROM audit_events");
  return JSON.stringify(rows);
}

describe.each(availableDialects())("the outbox's audit records (%s)", (dialect) => {
  it("a failed attempt is mail_failed (retry ahead), the delivery mail_sent; both name the user", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t, { email: "grace@example.com" });
    const id = await t.deps.outbox.enqueue(t.deps.db, mail("grace@example.com", user.id));
    const refusing: Mailer = {
      kind: t.deps.mailer.kind,
      send: async () => {
        throw new MailError("EENVELOPE", "550 <grace@example.com> mailbox unavailable");
      },
      close: async () => {},
    };
    expect((await sender(refusing).runOnce()).failed).toBe(1);
    const [failed] = await t.deps.audit.list({ type: "mail_failed" });
    expect(failed).toMatchObject({
      outcome: "failure",
      actorId: null,
      targetId: user.id,
      details: { outboxId: id, template: "verification", attempt: 1 },
    });
    expect(failed?.details.retryInSeconds).toBeGreaterThan(0);
    expect(String(failed?.details.error)).toContain("[recipient]");

    t.clock.advance(24 * 60 * 60_000);
    expect((await sender(t.deps.mailer).runOnce()).sent).toBe(1);
    const [sent] = await t.deps.audit.list({ type: "mail_sent" });
    expect(sent).toMatchObject({
      outcome: "success",
      targetId: user.id,
      details: { outboxId: id, template: "verification", attempt: 2 },
    });
    // Never the address, the subject or the body.
    const text = await auditText();
    expect(text).not.toContain("grace@example.com");
    expect(text).not.toContain("secret body text");
    expect(text).not.toContain("Confirm your address");
  });

  it("the last failed attempt is mail_dead, not mail_failed; a mail to forget names nobody", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await t.deps.outbox.enqueue(
      t.deps.db,
      mail("gone@example.com", user.id, { forgetAfterSend: true }),
    );
    const refusing = flakyMailer(t.deps.mailer, 10);
    expect((await sender(refusing, 2).runOnce()).failed).toBe(1);
    t.clock.advance(24 * 60 * 60_000);
    expect((await sender(refusing, 2).runOnce()).dead).toBe(1);
    const failed = await t.deps.audit.list({ type: "mail_failed" });
    expect(failed).toHaveLength(1);
    expect(failed[0]?.targetId).toBeNull();
    expect(await t.deps.audit.list({ type: "mail_dead" })).toHaveLength(1);
    expect(await t.deps.audit.list({ type: "mail_sent" })).toEqual([]);
  });

  it("a delivery whose audit write fails is still sent, once", async () => {
    t = await createTestApp({ dialect });
    await t.deps.outbox.enqueue(t.deps.db, mail("ok@example.com", null));
    const broken = createOutboxSender({
      db: t.deps.db,
      mailer: t.deps.mailer,
      clock: t.clock,
      random: t.deps.random,
      logger: t.deps.logger,
      metrics: t.deps.metrics,
      audit: {
        record: async () => {
          throw new Error("audit down");
        },
        list: t.deps.audit.list,
      },
    });
    expect(await broken.runOnce()).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(await broken.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(t.logs.some((l) => l.msg === "audit of mail_sent failed")).toBe(true);
  });
});
