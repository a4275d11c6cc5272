import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { load, PROD, problemsOf, tmp } from "../../test/config-fixture.js";
import { loadConfig } from "./env.js";

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
