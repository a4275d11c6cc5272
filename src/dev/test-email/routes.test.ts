import { afterEach, describe, expect, it } from "vitest";
import { seedUser } from "../../../test/flows/login-fixture.js";
import { csrfFrom, ORIGIN, postWith } from "../../../test/forms.js";
import { availableDialects, createTestApp, type TestApp } from "../../../test/harness.js";
import { freePort } from "../../../test/net.js";
import { type SmtpSink, startSmtpSink } from "../../../test/smtp-sink.js";
import { isCaptureMailer } from "../../mail/capture.js";

let t: TestApp | undefined;
let sink: SmtpSink | undefined;
afterEach(async () => {
  await t?.close();
  await sink?.stop();
  t = undefined;
  sink = undefined;
});

const MAIL_FROM = "Bastion <no-reply@bastion.example>";

/** Opens the page (its CSRF token) and sends to `to`. */
async function send(app: TestApp, to: string): Promise<Response> {
  const page = await app.client.get("/dev/test-email");
  return postWith(app.client, csrfFrom(await page.text()), "/dev/test-email", { to });
}

function captured(app: TestApp) {
  if (!isCaptureMailer(app.deps.mailer)) throw new Error("not the capture mailer");
  return app.deps.mailer.messages();
}

describe.each(availableDialects())("/dev/test-email (%s)", (dialect) => {
  it("offers the first admin's address, or an empty field when there is none", async () => {
    t = await createTestApp({ dialect });
    const empty = await t.client.get("/dev/test-email");
    expect(empty.status).toBe(200);
    const html = await empty.text();
    expect(html).toContain('name="to"');
    expect(html).not.toMatch(/name="to"[^>]*value="[^"]/);
    expect(html).toContain("Captured in memory (SMTP_HOST is not set)");
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);

    await seedUser(t, { email: "user@example.com" });
    t.clock.advance(1000);
    await seedUser(t, { email: "first-admin@example.com", role: "admin" });
    t.clock.advance(1000);
    await seedUser(t, { email: "second-admin@example.com", role: "admin" });
    const filled = await (await t.client.get("/dev/test-email")).text();
    expect(filled).toMatch(/name="to"[^>]*value="first-admin@example.com"/);
  });

  it("sends through a real SMTP server and shows its acceptance with the message id", async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      dialect,
      env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(sink.port), MAIL_FROM },
    });
    const res = await send(t, "ops@example.com");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`The SMTP server at 127.0.0.1:${sink.port} accepted the message`);
    expect(html).toMatch(/Message id: <code[^>]*>&lt;[^<]+@[^<]+&gt;<\/code>/);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({
      envelopeTo: ["ops@example.com"],
      subject: "Test message from Bastion",
    });
    expect(sink.messages[0]?.text).toContain(`SMTP server at 127.0.0.1:${sink.port}`);
  });

  it("an unreachable SMTP server (closed port) is a message on the page, not a 500", async () => {
    const port = await freePort(); // nothing listens there
    t = await createTestApp({
      dialect,
      env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port), MAIL_FROM },
    });
    const res = await send(t, "ops@example.com");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Not sent");
    expect(html).toContain(`Nothing accepted a connection at 127.0.0.1:${port}`);
    expect(html).toContain("ECONNREFUSED");
    expect(html).toMatch(/name="to"[^>]*value="ops@example.com"/);
  });

  it("captures the message when SMTP is not configured, shown at /dev/mail", async () => {
    t = await createTestApp({ dialect });
    const res = await send(t, "ops@example.com");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Captured for <strong>ops@example.com</strong>");
    expect(captured(t).map((m) => m.to)).toEqual(["ops@example.com"]);
    const list = await (await t.client.get("/dev/mail.json")).json();
    expect(list).toMatchObject([{ to: "ops@example.com", subject: "Test message from Bastion" }]);
  });

  it.each([
    ["empty", "", "Enter the address"],
    ["blank", "   ", "Enter the address"],
    ["two addresses", "a@example.com, b@example.com", "one address only"],
    ["two addresses with a semicolon", "a@example.com;b@example.com", "one address only"],
    ["a display name", "Eve <eve@example.com>", "one address only"],
    ["header injection", "a@b.c\r\nBcc: x@example.com", "one address only"],
    ["a bare line feed", "a@b.c\nBcc: x@example.com", "one address only"],
    ["no domain", "root@localhost", "valid email"],
    ["too long", `${"a".repeat(250)}@example.com`, "one address only"],
    ["an oversized field", "a".repeat(5000), "characters"],
  ])(
    "threat: %s as recipient is refused with a message; nothing is sent",
    async (_w, to, words) => {
      t = await createTestApp({ dialect });
      const res = await send(t, to);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain('aria-invalid="true"');
      expect(html.toLowerCase()).toContain(words.toLowerCase());
      expect(captured(t)).toEqual([]);
    },
  );

  it("a missing field is refused; a POST without the CSRF token is 403 and sends nothing", async () => {
    t = await createTestApp({ dialect });
    const csrf = csrfFrom(await (await t.client.get("/dev/test-email")).text());
    expect((await postWith(t.client, csrf, "/dev/test-email", {})).status).toBe(422);
    const forged = await t.client.post(
      "/dev/test-email",
      { to: "ops@example.com" },
      { Origin: ORIGIN },
    );
    expect(forged.status).toBe(403);
    expect(captured(t)).toEqual([]);
  });
});
