import { afterEach, describe, expect, it } from "vitest";
import { verificationEmail } from "../../src/mail/templates/index.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { freePort } from "../net.js";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";

/**
 * Threat: mail lost (or doubled) when the SMTP server is down. The outbox row
 * is written with the action, survives failed tries, and once the server is
 * back the mail arrives exactly once, through a real SMTP server.
 */
describe.each(availableDialects())("mail while SMTP is down, then up (%s)", (dialect) => {
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await t?.close();
    await sink?.stop();
    t = undefined;
    sink = undefined;
  });

  it("nothing is lost while it is down, and the mail arrives once when it is back", async () => {
    const port = await freePort(); // nothing listens here yet: connection refused
    t = await createTestApp({
      dialect,
      env: {
        APP_URL: "https://bastion.example",
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(port),
        MAIL_FROM: "Bastion <no-reply@bastion.example>",
      },
    });
    const { deps, clock } = t;
    const email = verificationEmail({
      appName: deps.config.appName,
      appUrl: deps.config.appUrl,
      name: "Ada",
      token: "verify-token-123",
    });
    const id = await deps.db.transaction((tx) =>
      deps.outbox.enqueue(tx, { to: "ada@example.test", userId: "user-ada", ...email }),
    );

    // SMTP down: the try fails, the row stays with its error and a later retry time.
    expect(await deps.outbox.runOnce()).toEqual({ sent: 0, failed: 1, dead: 0 });
    const row = await deps.db.one<{
      status: string;
      attempts: number;
      last_error: string;
      next_attempt_at: Date;
    }>("SELECT status, attempts, last_error, next_attempt_at FROM mail_outbox WHERE id = $1", [id]);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.last_error).toMatch(/ECONNREFUSED/);
    expect(row?.next_attempt_at.getTime()).toBeGreaterThan(clock.now().getTime());

    // SMTP back on the same port; before the backoff ends nothing is retried.
    sink = await startSmtpSink({ port });
    expect(await deps.outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(sink.messages).toHaveLength(0);

    clock.set(new Date((row?.next_attempt_at.getTime() ?? 0) + 1000));
    expect(await deps.outbox.runOnce()).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(await deps.outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    clock.advance(24 * 3_600_000);
    expect(await deps.outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });

    expect(sink.messages).toHaveLength(1);
    const [got] = sink.messages;
    expect(got?.envelopeTo).toEqual(["ada@example.test"]);
    expect(got?.from).toBe('"Bastion" <no-reply@bastion.example>');
    expect(got?.subject).toBe(email.subject);
    expect(got?.text).toContain("https://bastion.example/auth/verify?token=verify-token-123");
    expect(got?.html).toContain(
      'href="https://bastion.example/auth/verify?token=verify-token-123"',
    );

    expect(
      await deps.db.one("SELECT status, attempts FROM mail_outbox WHERE id = $1", [id]),
    ).toEqual({ status: "sent", attempts: 2 });
    const metrics = await deps.metrics.registry.metrics();
    expect(metrics).toContain('mail_sent_total{status="failed"} 1');
    expect(metrics).toContain('mail_sent_total{status="sent"} 1');
  });
});
