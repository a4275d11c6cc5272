import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { isCaptureMailer } from "../../mail/capture.js";
import { verificationEmail } from "../../mail/templates/index.js";
import { MAIL_HTML_CSP } from "./routes.js";

const SECRET_KEY = "dev-mail-test-secret-key-of-at-least-32-chars";
const PRODUCTION = { NODE_ENV: "production", APP_URL: "https://app.example", SECRET_KEY };

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Enqueues through the real outbox and delivers, as a registration would. */
async function deliver(app: TestApp, to: string, name: string, token: string) {
  const email = verificationEmail({
    appName: "Bastion",
    appUrl: app.deps.config.appUrl,
    name,
    token,
  });
  await app.deps.db.transaction((tx) => app.deps.outbox.enqueue(tx, { to, ...email }));
  await app.deps.outbox.runOnce();
}

describe.each([
  ["development", { NODE_ENV: "development", SECRET_KEY }],
  ["test", {}],
])("/dev/mail in %s", (_mode, env) => {
  it("lists captured mail newest first, as JSON and as a page with clickable links", async () => {
    t = await createTestApp({ env });
    await deliver(t, "first@example.test", "First", "tok-first");
    t.clock.advance(1000);
    await deliver(t, "second@example.test", "Second", "tok-second");

    const json = await t.client.get("/dev/mail.json");
    expect(json.status).toBe(200);
    const list = (await json.json()) as Array<Record<string, string>>;
    expect(list.map((m) => m.to)).toEqual(["second@example.test", "first@example.test"]);
    expect(Object.keys(list[0] ?? {}).sort()).toEqual([
      "created_at",
      "html",
      "id",
      "subject",
      "text",
      "to",
    ]);
    expect(list[0]?.text).toContain("http://localhost:8000/auth/verify?token=tok-second");
    expect(list[0]?.created_at).toBe("2026-01-15T12:00:01.000Z");

    const page = await t.client.get("/dev/mail");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.indexOf("second@example.test")).toBeLessThan(html.indexOf("first@example.test"));
    expect(html).toContain('<a href="http://localhost:8000/auth/verify?token=tok-second">');
    expect(html).toContain(`href="/dev/mail/${list[0]?.id}/html"`);
    // Each mail's text is a focusable, named group (axe: scrollable-region-focusable).
    expect(html).toContain(
      'tabindex="0" role="group" aria-label="Text version of “Confirm your email address for Bastion”"',
    );
  });

  it("threat: mail content is shown escaped; its HTML never enters our page", async () => {
    t = await createTestApp({ env });
    await deliver(t, "x@example.test", '<script>alert("name")</script>', "tok");
    const html = await (await t.client.get("/dev/mail")).text();
    expect(html).not.toContain('<script>alert("name")</script>');
    expect(html).toContain("&lt;script&gt;");
    // The mail's own document (its <html>, <table>) is not embedded.
    expect(html).not.toContain('<table role="presentation"');
  });

  it("serves a mail's HTML as its own document under an enforcing, script-free CSP", async () => {
    t = await createTestApp({ env });
    await deliver(t, "x@example.test", "Ada", "tok");
    const [first] = (await (await t.client.get("/dev/mail.json")).json()) as Array<{
      id: string;
      html: string;
    }>;
    const res = await t.client.get(`/dev/mail/${first?.id}/html`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toBe(first?.html);
    // The mail's own policy, not the app's: sandboxed (no script at all, opaque origin),
    // nothing loaded, and the mail's inline layout styles allowed so it looks as it would
    // in a mail client rather than logging CSP violations.
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toBe(MAIL_HTML_CSP);
    expect(csp.split("; ")).toEqual(
      expect.arrayContaining(["sandbox", "default-src 'none'", "frame-ancestors 'none'"]),
    );
    expect(csp).not.toMatch(/script-src|allow-scripts|nonce-/);
    expect((await t.client.get("/dev/mail/999/html")).status).toBe(404);
  });
});

describe("/dev/mail when mail goes out through SMTP", () => {
  it("says so instead of pretending nothing was sent", async () => {
    t = await createTestApp({ env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: "2525" } });
    expect(isCaptureMailer(t.deps.mailer)).toBe(false);
    const html = await (await t.client.get("/dev/mail")).text();
    expect(html).toContain("Mail goes out through SMTP");
    expect(html).toContain("127.0.0.1:2525");
    expect(await (await t.client.get("/dev/mail.json")).json()).toEqual([]);
  });
});

describe("/dev/mail in production", () => {
  it("threat: captured-mail routes (live tokens) do not exist in production", async () => {
    t = await createTestApp({ env: PRODUCTION });
    for (const path of ["/dev/mail", "/dev/mail.json", "/dev/mail/1/html"]) {
      expect((await t.client.get(path)).status, path).toBe(404);
    }
    expect(t.app.routes.some((r) => r.path.startsWith("/dev/"))).toBe(false);
  });

  it("without SMTP_HOST mail is held in the outbox, with a start-up warning", async () => {
    t = await createTestApp({ env: PRODUCTION });
    expect(
      t.logs.some((l) => l.level === 40 && String(l.msg).includes("SMTP_HOST is not set")),
    ).toBe(true);
  });
});
