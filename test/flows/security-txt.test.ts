import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { fixedClock } from "../../src/lib/clock.js";
import { createTestApp, type TestApp } from "../harness.js";

/**
 * RFC 9116: researchers look for /.well-known/security.txt to report a
 * vulnerability. It must say only what is true (a real contact, an expiry
 * that is kept fresh), and a contact that is not a URI the reader can act on,
 * or that could smuggle a second line into the file, is refused at start-up.
 */
const PATH = "/.well-known/security.txt";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function contactProblem(value: string): string | undefined {
  try {
    loadConfig({ env: { NODE_ENV: "test", SECURITY_CONTACT: value }, dotenv: false });
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.find((p) => p.startsWith("SECURITY_CONTACT"));
  }
}

describe("/.well-known/security.txt", () => {
  it("is absent (404) while SECURITY_CONTACT is unset", async () => {
    t = await createTestApp();
    expect((await t.client.get(PATH)).status).toBe(404);
  });

  it("serves Contact, Expires (a year ahead of the app's clock), Preferred-Languages and Canonical as UTF-8 text", async () => {
    t = await createTestApp({
      clock: fixedClock("2026-01-15T12:00:00.000Z"),
      env: {
        APP_URL: "https://app.example.com",
        SECURITY_CONTACT: "security@example.com, https://example.com/report",
        SECURITY_PREFERRED_LANGUAGES: "en,fr",
      },
    });
    const res = await t.client.get(PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe(
      [
        "Contact: mailto:security@example.com",
        "Contact: https://example.com/report",
        "Expires: 2027-01-14T12:00:00Z",
        "Preferred-Languages: en, fr",
        "Canonical: https://app.example.com/.well-known/security.txt",
        "",
      ].join("\n"),
    );
  });

  it("moves Expires with the clock, so a long-running app never serves an expired file", async () => {
    t = await createTestApp({ env: { SECURITY_CONTACT: "mailto:sec@example.com" } });
    t.clock.set("2030-06-01T00:00:00.000Z");
    const text = await (await t.client.get(PATH)).text();
    expect(text).toContain("Contact: mailto:sec@example.com\n");
    expect(text).toContain("Expires: 2031-05-31T00:00:00Z\n");
    expect(text).not.toContain("Preferred-Languages");
    expect(text).toContain("Canonical: http://localhost:8000/.well-known/security.txt\n");
  });

  it("accepts an email, a mailto: URI and an https:// URL", () => {
    for (const ok of [
      "security@example.com",
      "mailto:security@example.com",
      "https://example.com/security",
      "a@example.com,https://example.com/x",
    ]) {
      expect(contactProblem(ok), ok).toBeUndefined();
    }
  });

  it.each([
    ["an http: URL", "http://example.com/security"],
    ["free text", "call us"],
    ["a javascript: URI", "javascript:alert(1)"],
    ["a tel: URI", "tel:+15551234"],
    ["a mailto: without an address", "mailto:nobody"],
    ["a second field smuggled on a new line", "a@example.com\nContact: https://evil.example"],
    ["unicode look-alikes", "ѕecurity@exаmple.com"],
    ["an empty item", "a@example.com,"],
    ["markup", "<script>@example.com"],
  ])("refuses %s, naming the variable and what it must be", (_label, value) => {
    expect(contactProblem(value)).toMatch(
      /^SECURITY_CONTACT: must be an email address, a mailto: URI or an https:\/\/ URL/,
    );
  });

  it("refuses Preferred-Languages that are not language tags", () => {
    expect(() =>
      loadConfig({
        env: {
          NODE_ENV: "test",
          SECURITY_CONTACT: "a@example.com",
          SECURITY_PREFERRED_LANGUAGES: "en\nContact: x",
        },
        dotenv: false,
      }),
    ).toThrow(/SECURITY_PREFERRED_LANGUAGES: must be language tags/);
  });
});
