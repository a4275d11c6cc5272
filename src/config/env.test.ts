import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, SECRET_KEY_PLACEHOLDER } from "./env.js";

const tmp = () => mkdtempSync(join(tmpdir(), "bastion-config-"));
const load = (env: Record<string, string>, cwd = tmp()) => loadConfig({ env, cwd });
const problemsOf = (env: Record<string, string>, cwd = tmp()): string[] => {
  try {
    load(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
};
const PROD = {
  NODE_ENV: "production",
  SECRET_KEY: "x".repeat(40),
  APP_URL: "https://app.example.com",
};

describe("configuration", () => {
  it("starts a new user in development on port 8000 with a DuckDB file under data/", () => {
    const cwd = tmp();
    const config = load({}, cwd);
    expect(config.env).toBe("development");
    expect(config.port).toBe(8000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.appUrl).toBe("http://localhost:8000");
    expect(config.database.target).toEqual({
      kind: "duckdb",
      path: join(cwd, "data", "app.duckdb"),
    });
    expect(config.security.cspMode).toBe("relaxed");
    // Pretty or JSON is decided by main from the terminal, not by the mode.
    expect(config.log.format).toBe("auto");
  });

  it("keeps one generated development secret in data/.secret, readable only by the owner", () => {
    const cwd = tmp();
    const first = load({}, cwd).secretKey;
    const second = load({}, cwd).secretKey;
    expect(first).toHaveLength(64);
    expect(second).toBe(first);
    const file = join(cwd, "data", ".secret");
    expect(readFileSync(file, "utf8").trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("refuses production without SECRET_KEY and APP_URL, naming both", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems.some((p) => p.startsWith("SECRET_KEY"))).toBe(true);
    expect(problems.some((p) => p.startsWith("APP_URL"))).toBe(true);
  });

  it("refuses the .env.example placeholder and short secrets", () => {
    expect(problemsOf({ ...PROD, SECRET_KEY: SECRET_KEY_PLACEHOLDER })[0]).toMatch(
      /^SECRET_KEY: still the .env.example placeholder/,
    );
    expect(problemsOf({ ...PROD, SECRET_KEY: "short" })[0]).toMatch(
      /^SECRET_KEY: must be at least 32/,
    );
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

  it("applies production defaults: strict CSP, 0.0.0.0, admins need 2FA", () => {
    const config = load(PROD);
    expect(config.isProduction).toBe(true);
    expect(config.security.cspMode).toBe("strict");
    expect(config.log.format).toBe("auto");
    expect(load({ ...PROD, LOG_FORMAT: "json" }).log.format).toBe("json");
    expect(config.host).toBe("0.0.0.0");
    expect(config.security.require2faForAdmins).toBe(true);
    expect(config.appOrigin).toBe("https://app.example.com");
  });

  it("reads .env, and real environment variables win over it", () => {
    const cwd = tmp();
    writeFileSync(join(cwd, ".env"), "PORT=9001\nAPP_NAME=FromFile\n");
    const config = loadConfig({ env: { APP_NAME: "FromEnv" }, cwd });
    expect(config.port).toBe(9001);
    expect(config.appName).toBe("FromEnv");
    expect(loadConfig({ env: {}, cwd, dotenv: false }).port).toBe(8000);
  });

  it("treats an empty variable as unset", () => {
    expect(load({ PORT: "", SECRET_KEY: "" }).port).toBe(8000);
  });

  it.each([
    ["postgres://u:p@db:5432/app", { kind: "postgres", url: "postgres://u:p@db:5432/app" }],
    ["postgresql://db/app", { kind: "postgres", url: "postgresql://db/app" }],
    ["duckdb::memory:", { kind: "duckdb", path: ":memory:" }],
  ])("understands DATABASE_URL=%s", (value, expected) => {
    expect(load({ DATABASE_URL: value }).database.target).toEqual(expected);
  });

  it("resolves DuckDB file paths against the working directory", () => {
    const cwd = tmp();
    expect(load({ DATABASE_URL: "duckdb:other/x.duckdb" }, cwd).database.target).toEqual({
      kind: "duckdb",
      path: join(cwd, "other/x.duckdb"),
    });
    expect(load({ DATABASE_URL: "/abs/y.duckdb" }, cwd).database.target).toEqual({
      kind: "duckdb",
      path: "/abs/y.duckdb",
    });
  });

  it("warns about slow queries from a default per engine: higher on in-process DuckDB", () => {
    const duck = load({}).database.slowQueryMs;
    const pg = load({ DATABASE_URL: "postgres://u@db:5432/app" }).database.slowQueryMs;
    expect({ duck, pg }).toEqual({ duck: 500, pg: 100 });
    // QUERY_SLOW_MS overrides either default.
    expect(load({ QUERY_SLOW_MS: "250" }).database.slowQueryMs).toBe(250);
    expect(
      load({ DATABASE_URL: "postgres://u@db:5432/app", QUERY_SLOW_MS: "40" }).database.slowQueryMs,
    ).toBe(40);
    expect(problemsOf({ QUERY_SLOW_MS: "0" })[0]).toMatch(/^QUERY_SLOW_MS: must be at least 1/);
  });

  it("rejects database URLs it cannot serve", () => {
    expect(problemsOf({ DATABASE_URL: "mysql://db/app" })[0]).toMatch(/^DATABASE_URL/);
    expect(problemsOf({ DATABASE_URL: "duckdb:" })[0]).toMatch(/^DATABASE_URL/);
  });

  it("parses TRUST_PROXY as hops or an IP/CIDR list and rejects garbage", () => {
    expect(load({}).security.trustProxy).toEqual({ kind: "none" });
    expect(load({ TRUST_PROXY: "2" }).security.trustProxy).toEqual({ kind: "hops", hops: 2 });
    expect(load({ TRUST_PROXY: "10.0.0.0/8, ::1, 192.168.1.7" }).security.trustProxy).toEqual({
      kind: "cidrs",
      cidrs: ["10.0.0.0/8", "::1", "192.168.1.7"],
    });
    expect(problemsOf({ TRUST_PROXY: "10.0.0.0/33,evil.example,1.2.3.4/8/9" })[0]).toMatch(
      /TRUST_PROXY: .*"10\.0\.0\.0\/33", "evil\.example", "1\.2\.3\.4\/8\/9"/,
    );
  });

  it("normalises TRUSTED_ORIGINS to origins and rejects non-origins", () => {
    expect(
      load({ TRUSTED_ORIGINS: "https://a.example/path, http://b.example:8080" }).security
        .trustedOrigins,
    ).toEqual(["https://a.example", "http://b.example:8080"]);
    expect(problemsOf({ TRUSTED_ORIGINS: "javascript:alert(1)" })[0]).toMatch(/^TRUSTED_ORIGINS/);
  });

  it("enables an OAuth provider only with both id and secret", () => {
    const config = load({ GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret" });
    expect(config.oauth.github).toEqual({ clientId: "id", clientSecret: "secret" });
    expect(config.oauth.google).toBeUndefined();
    expect(problemsOf({ GOOGLE_CLIENT_ID: "id" })[0]).toMatch(
      /GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET/,
    );
    expect(problemsOf({ OIDC_ISSUER: "https://id.example" })[0]).toMatch(
      /OIDC_ISSUER, OIDC_CLIENT_ID/,
    );
    const oidc = load({
      OIDC_ISSUER: "https://id.example",
      OIDC_CLIENT_ID: "c",
      OIDC_CLIENT_SECRET: "s",
    });
    expect(oidc.oauth.oidc?.name).toBe("Single sign-on");
  });

  it("returns a frozen object that code cannot change at run time", () => {
    const config = load({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.security)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("does not let a unicode or injection-looking value through where a number is expected", () => {
    expect(problemsOf({ SESSION_IDLE_TIMEOUT_MINUTES: "１２" })[0]).toMatch(
      /^SESSION_IDLE_TIMEOUT_MINUTES/,
    );
    expect(problemsOf({ QUERY_SLOW_MS: "1; DROP TABLE users" })[0]).toMatch(/^QUERY_SLOW_MS/);
    expect(problemsOf({ PASSWORD_MIN_LENGTH: "4" })[0]).toMatch(
      /PASSWORD_MIN_LENGTH: must be at least 8/,
    );
  });
});
