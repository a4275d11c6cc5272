import { describe, expect, it } from "vitest";
import { load, problemsOf } from "../../test/config-fixture.js";

describe("WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS", () => {
  it("follow APP_URL by default: its host is the RP id, its origin the one origin", () => {
    const config = load({ APP_URL: "https://app.example.com/base/" });
    expect(config.webauthn).toEqual({
      rpId: "app.example.com",
      origins: ["https://app.example.com"],
    });
  });

  it("take a parent domain as RP id and every subdomain origin listed", () => {
    const config = load({
      APP_URL: "https://app.example.com",
      WEBAUTHN_RP_ID: "Example.com",
      WEBAUTHN_ORIGINS: "https://app.example.com, https://login.example.com:8443",
    });
    expect(config.webauthn).toEqual({
      rpId: "example.com",
      origins: ["https://app.example.com", "https://login.example.com:8443"],
    });
  });

  it.each([
    [{ WEBAUTHN_RP_ID: "example.com/path" }, /^WEBAUTHN_RP_ID: .* is not a host name/],
    [{ WEBAUTHN_RP_ID: "-bad-.com" }, /^WEBAUTHN_RP_ID/],
    [{ WEBAUTHN_ORIGINS: "not an origin" }, /^WEBAUTHN_ORIGINS: "not an origin" is not an origin/],
    [{ WEBAUTHN_ORIGINS: "ftp://app.example.com" }, /^WEBAUTHN_ORIGINS/],
    // An origin the browser would never let use this RP id: refused at start, not at sign-in.
    [
      { WEBAUTHN_ORIGINS: "https://evil.example" },
      /^WEBAUTHN_ORIGINS: https:\/\/evil\.example is not on WEBAUTHN_RP_ID app\.example\.com/,
    ],
    [
      { WEBAUTHN_ORIGINS: "https://notexample.com", WEBAUTHN_RP_ID: "example.com" },
      /^WEBAUTHN_ORIGINS/,
    ],
  ])("refuses %o", (env, problem) => {
    const problems = problemsOf({ APP_URL: "https://app.example.com", ...env });
    expect(
      problems.some((p) => problem.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });
});
