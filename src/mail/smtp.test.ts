import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../test/net.js";
import { rejectionOf } from "../../test/rejection.js";
import { type SmtpSink, startSmtpSink } from "../../test/smtp-sink.js";
import { mailerContract } from "./mailer.contract.js";
import { MailError, toMailError } from "./mailer.js";
import { createSmtpMailer, type SmtpSettings } from "./smtp.js";

const FROM = "Bastion Test <no-reply@bastion.test>";

function settings(port: number, extra: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    smtpHost: "127.0.0.1",
    smtpPort: port,
    smtpUser: undefined,
    smtpPassword: undefined,
    smtpSecure: false,
    from: FROM,
    maxAttempts: 8,
    pollIntervalMs: 5000,
    ...extra,
  };
}

mailerContract("smtp (real smtp-server on 127.0.0.1)", async () => {
  const sink = await startSmtpSink();
  const mailer = createSmtpMailer(settings(sink.port));
  return {
    mailer,
    delivered: () => sink.messages,
    close: async () => {
      await mailer.close();
      await sink.stop();
    },
  };
});

describe("SMTP mailer", () => {
  let sink: SmtpSink | undefined;
  let silent: Server | undefined;
  afterEach(async () => {
    await sink?.stop();
    sink = undefined;
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    silent = undefined;
  });

  it("sends From = MAIL_FROM, exactly one envelope recipient, and marks mail auto-generated", async () => {
    sink = await startSmtpSink();
    const mailer = createSmtpMailer(settings(sink.port));
    await mailer.send({ to: "ada@example.test", subject: "Hi", text: "t", html: "<p>t</p>" });
    const [got] = sink.messages;
    expect(got?.from).toBe('"Bastion Test" <no-reply@bastion.test>');
    expect(got?.envelopeFrom).toBe("no-reply@bastion.test");
    expect(got?.envelopeTo).toEqual(["ada@example.test"]);
    expect(got?.headers.get("auto-submitted")).toBe("auto-generated");
  });

  it("authenticates with SMTP_USER/SMTP_PASSWORD when set", async () => {
    const auth = { user: "mailer", pass: "s3cret-pass-123" };
    sink = await startSmtpSink({ auth });
    const ok = createSmtpMailer(
      settings(sink.port, { smtpUser: auth.user, smtpPassword: auth.pass }),
    );
    await ok.send({ to: "ada@example.test", subject: "Hi", text: "t", html: "<p>t</p>" });
    expect(sink.messages).toHaveLength(1);
  });

  it("threat: a rejected login reports EAUTH without echoing the password", async () => {
    sink = await startSmtpSink({ auth: { user: "mailer", pass: "right-password" } });
    const wrong = createSmtpMailer(
      settings(sink.port, { smtpUser: "mailer", smtpPassword: "wrong-password-xyz" }),
    );
    const error = await rejectionOf(
      wrong.send({ to: "ada@example.test", subject: "Hi", text: "t", html: "<p>t</p>" }),
      MailError,
    );
    expect(error.code).toBe("EAUTH");
    expect(error.message).not.toContain("wrong-password-xyz");
    expect(sink.messages).toEqual([]);
  });

  it("a server that is down fails fast with a connection error (the outbox retries later)", async () => {
    const port = await freePort();
    const mailer = createSmtpMailer(settings(port));
    const error = await rejectionOf(
      mailer.send({ to: "ada@example.test", subject: "Hi", text: "t", html: "<p>t</p>" }),
      MailError,
    );
    // nodemailer 10 reports a refused connection as ESOCKET (older versions: ECONNECTION).
    expect(error.code).toMatch(/^E(SOCKET|CONNECTION)$/);
    expect(error.message).toMatch(/^E(SOCKET|CONNECTION): .*ECONNREFUSED/);
  });

  it("a server that accepts but never greets times out instead of hanging the sender", async () => {
    const port = await freePort();
    silent = createServer(() => {}); // holds the socket open, says nothing
    await new Promise<void>((resolve) => silent?.listen(port, "127.0.0.1", resolve));
    const mailer = createSmtpMailer(settings(port), { timeoutMs: 200 });
    const error = await rejectionOf(
      mailer.send({ to: "ada@example.test", subject: "Hi", text: "t", html: "<p>t</p>" }),
      MailError,
    );
    // The sender's own timeout ended it (a hang would run into the test timeout);
    // no stopwatch, so a slow machine cannot fail this.
    expect(error.code).toBe("ETIMEDOUT");
    expect(error.message).toMatch(/^ETIMEDOUT: /);
  });

  it("toMailError keeps one short line and blanks the configured secrets", () => {
    const raw = Object.assign(
      new Error(`Invalid login: 535 bad pass hunter2hunter2\nsecond line ${"x".repeat(500)}`),
      {
        code: "EAUTH",
      },
    );
    const error = toMailError(raw, ["hunter2hunter2"]);
    expect(error.message).toBe("EAUTH: Invalid login: 535 bad pass [redacted]");
    const long = toMailError(new Error("y".repeat(1000)));
    expect(long.code).toBe("ESEND");
    expect(long.message.length).toBeLessThan(220);
  });

  it("refuses to build without SMTP_HOST", () => {
    expect(() => createSmtpMailer(settings(25, { smtpHost: undefined }))).toThrow(/SMTP_HOST/);
  });
});
