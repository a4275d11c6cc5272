import { afterEach, describe, expect, it } from "vitest";
import { submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { freePort } from "../net.js";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { PASSWORD } from "./login-fixture.js";

/**
 * Threat: a sign-up lost (or mailed twice) because SMTP was down. The account
 * and its verification mail are one transaction, so the account exists at
 * once; the mail waits in the outbox and, once a real SMTP server is back on
 * the port, arrives exactly once, and its link verifies the account.
 */
describe.each(availableDialects())("registration while SMTP is down (%s)", (dialect) => {
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await t?.close();
    await sink?.stop();
    t = undefined;
    sink = undefined;
  });

  it("the account exists at once; the verification mail arrives later, once", async () => {
    const port = await freePort(); // nothing listens yet: connection refused
    t = await createTestApp({
      dialect,
      env: {
        APP_URL: "http://localhost:8000",
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(port),
        MAIL_FROM: "Bastion <no-reply@bastion.example>",
      },
    });
    const { deps, clock } = t;
    const res = await submitForm(t.client, "/auth/register", {
      email: "ada@example.com",
      password: PASSWORD,
      first_name: "Ada",
      last_name: "Lovelace",
    });
    expect(res.status).toBe(200);
    const user = await deps.users.findByEmail("ada@example.com");
    expect(user?.emailVerifiedAt).toBeNull();

    expect(await deps.outbox.runOnce()).toEqual({ sent: 0, failed: 1, dead: 0 });
    const row = await deps.db.one<{ status: string; next_attempt_at: Date }>(
      "SELECT status, next_attempt_at FROM mail_outbox WHERE user_id = $1",
      [user?.id ?? ""],
    );
    expect(row?.status).toBe("pending");

    sink = await startSmtpSink({ port });
    clock.set(new Date((row?.next_attempt_at.getTime() ?? 0) + 1000));
    expect(await deps.outbox.runOnce()).toEqual({ sent: 1, failed: 0, dead: 0 });
    clock.advance(24 * 3_600_000);
    expect(await deps.outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(sink.messages).toHaveLength(1);
    const [mail] = sink.messages;
    expect(mail?.envelopeTo).toEqual(["ada@example.com"]);

    // The link that arrived late still works (EMAIL_VERIFICATION_TTL_HOURS = 24 from registration).
    clock.set(new Date((user?.createdAt.getTime() ?? 0) + 60 * 60_000));
    const token = /\/auth\/verify\?token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] ?? "";
    const page = await t.client.get(`/auth/verify?token=${token}`);
    expect(page.status).toBe(200);
    const verify = await submitForm(
      t.client,
      "/auth/verify",
      { token },
      { from: `/auth/verify?token=${token}` },
    );
    expect(verify.status).toBe(303);
    expect((await deps.users.findById(user?.id ?? ""))?.emailVerifiedAt).not.toBeNull();
  });
});
