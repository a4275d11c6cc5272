import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { load, PROD, problemsOf, tmp } from "../../test/config-fixture.js";
import { ConfigError, SECRET_KEY_PLACEHOLDER } from "./env.js";

/** A refused configuration names every problem, once each, one per line. */
describe("configuration problems", () => {
  it("refuses production without SECRET_KEY and APP_URL, naming both", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems.some((p) => p.startsWith("SECRET_KEY"))).toBe(true);
    expect(problems.some((p) => p.startsWith("APP_URL"))).toBe(true);
  });

  it.each([
    [
      "the .env.example placeholder",
      SECRET_KEY_PLACEHOLDER,
      /^SECRET_KEY: still the .env.example placeholder/,
    ],
    ["a short secret", "short", /^SECRET_KEY: must be at least 32/],
  ])("refuses %s", (_what, secret, problem) => {
    expect(problemsOf({ ...PROD, SECRET_KEY: secret })[0]).toMatch(problem);
  });

  it("reports every invalid variable in one error", () => {
    const problems = problemsOf({
      PORT: "eighty",
      CSP_MODE: "loose",
      LOG_LEVEL: "loud",
      MIGRATE_ON_START: "maybe",
      APP_URL: "not a url",
    });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "APP_URL",
      "CSP_MODE",
      "LOG_LEVEL",
      "MIGRATE_ON_START",
      "PORT",
    ]);
    expect(() => load({ PORT: "70000" })).toThrow(/PORT: must be at most 65535/);
  });

  it("reports a bad type and a short secret together, not just the first field (PORT=abc SECRET_KEY=short)", () => {
    const problems = problemsOf({ PORT: "abc", SECRET_KEY: "short" });
    expect(problems).toEqual([
      "PORT: must be a whole number",
      "SECRET_KEY: must be at least 32 characters",
    ]);
  });

  it("reports bad types, bad lengths and missing production requirements in one error", () => {
    let error: unknown;
    try {
      load({
        NODE_ENV: "production",
        PORT: "abc",
        SECRET_KEY: "short",
        LOG_LEVEL: "loud",
        METRICS_TOKEN: "tiny",
        GOOGLE_CLIENT_ID: "id-without-secret",
        OIDC_ISSUER: "http://id.example",
        OIDC_CLIENT_ID: "c",
        OIDC_CLIENT_SECRET: "s",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "LOG_LEVEL",
      "METRICS_TOKEN",
      "APP_URL",
      "SECRET_KEY",
      "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET",
      "OIDC_ISSUER",
    ]);
    // The one message an operator reads names every problem, one per line.
    for (const problem of problems) expect(message).toContain(`\n  - ${problem}`);
    expect(message).toContain("APP_URL: required when NODE_ENV=production");
    expect(message).toContain("SECRET_KEY: must be at least 32 characters");
  });

  it("does not add a derived complaint about a field that already failed", () => {
    const problems = problemsOf({ ...PROD, APP_URL: "not a url" });
    expect(problems).toEqual([
      "APP_URL: must be an absolute http:// or https:// URL such as https://example.com",
    ]);
  });

  it("checks production requirements even when NODE_ENV is the only valid field", () => {
    const problems = problemsOf({ NODE_ENV: "production", PORT: "0", UV_THREADPOOL_SIZE: "-1" });
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "UV_THREADPOOL_SIZE",
      "APP_URL",
      "SECRET_KEY",
    ]);
  });

  it("writes no development secret when the configuration is refused", () => {
    const cwd = tmp();
    problemsOf({ PORT: "abc" }, cwd);
    expect(existsSync(join(cwd, "data", ".secret"))).toBe(false);
  });

  it.each([
    ["javascript:alert(1)"],
    ["file:///etc/passwd"],
    ["data:text/html,<script>alert(1)</script>"],
  ])("refuses APP_URL=%s: only http(s) has an origin the CSRF check can compare", (value) => {
    // new URL("javascript:…").origin is "null": accepting it would let `Origin: null` through.
    expect(problemsOf({ APP_URL: value })).toEqual([
      "APP_URL: must be an absolute http:// or https:// URL such as https://example.com",
    ]);
  });

  it("keeps each problem on its own line whatever the values hold (newlines, bidi, quotes, SQL)", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      SECRET_KEY: "🔑".repeat(8),
      PORT: "８０００",
      TRUSTED_ORIGINS: 'evil"\n  - SECRET_KEY: looks fine,\u202Ehttps://x.example',
      TRUST_PROXY: "1.2.3.4'; DROP TABLE users; --\r\n",
      LOG_LEVEL: "info\n  - LOG_LEVEL: ok",
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "LOG_LEVEL",
      "APP_URL",
      "SECRET_KEY",
      "TRUST_PROXY",
      "TRUSTED_ORIGINS",
      "TRUSTED_ORIGINS",
    ]);
    // Control and invisible characters are shown escaped, so a value cannot forge a line.
    for (const problem of problems) expect(problem).not.toMatch(/[\r\n\u202e]/);
    expect(problems).toContain(
      'TRUSTED_ORIGINS: "evil\\"\\n  - SECRET_KEY: looks fine" is not an origin such as https://example.com',
    );
  });
});
