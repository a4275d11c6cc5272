import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { load } from "../../../test/config-fixture.js";
import { SECRET_KEY_PLACEHOLDER } from "../../config/env.js";
import { acceptsDoctorArgs } from "../commands/doctor.js";
import {
  appUrlCheck,
  cookiesCheck,
  cspCheck,
  environmentCheck,
  hstsCheck,
  metricsTokenCheck,
  twoFactorCheck,
} from "./config-checks.js";
import {
  adminCheck,
  type DbAccess,
  databaseCheck,
  MIN_EVENTS_FOR_IP_EVIDENCE,
  migrationsCheck,
  skewResult,
  trustProxyCheck,
} from "./fact-checks.js";
import type { DbFacts } from "./facts.js";
import { buildReport, textReport } from "./report.js";
import { estimateSecretBits, FAIL_BITS, PASS_BITS, secretCheck } from "./secret.js";

/**
 * Each check alone, on configurations loaded the way the CLI loads them:
 * the thresholds and the words. The whole command, with real services, is
 * in commands/doctor.test.ts.
 */
const PROD = {
  NODE_ENV: "production",
  SECRET_KEY: randomBytes(48).toString("base64"),
  APP_URL: "https://app.example.test",
};

const facts = (over: Partial<DbFacts> = {}): DbAccess => ({
  kind: "facts",
  via: "here",
  facts: {
    dialect: "postgres",
    migrations: { pending: [], missingFiles: [] },
    adminExists: true,
    clock: { skewMs: 3, roundTripMs: 2 },
    clientIps: { events: 0, top: [] },
    ...over,
  },
});

describe("secret strength", () => {
  it.each([
    ["openssl rand -base64 48", randomBytes(48).toString("base64")],
    ["openssl rand -hex 32", randomBytes(32).toString("hex")],
    ["128 random bits in hex", randomBytes(16).toString("hex")],
  ])("a random key passes: %s", (_, secret) => {
    expect(estimateSecretBits(secret)).toBeGreaterThanOrEqual(PASS_BITS);
    expect(secretCheck(secret).status).toBe("pass");
  });

  it.each([
    ["one character repeated", "a".repeat(64)],
    ["a short block repeated", "abc123".repeat(8)],
    ["a keyboard run", "abcdefghijklmnopqrstuvwxyz0123456789"],
  ])("threat: a key typed by a person is guessable: %s", (_, secret) => {
    expect(estimateSecretBits(secret)).toBeLessThan(FAIL_BITS);
    const result = secretCheck(secret);
    expect(result.status).toBe("fail");
    expect(result.fix).toContain("openssl rand");
  });

  it.each([
    SECRET_KEY_PLACEHOLDER,
    "my-example-secret-for-the-staging-server-0000",
    "CHANGEME-please-4f9a8b7c6d5e4f3a2b1c0d9e8f7a",
    "your_secret_key_goes_here_and_it_is_long_enough",
  ])("threat: an example value copied from a page fails: %s", (secret) => {
    expect(secretCheck(secret)).toMatchObject({ status: "fail", name: "secret_key" });
  });

  it("never prints the key", () => {
    const secret = randomBytes(48).toString("base64");
    const result = secretCheck(secret);
    expect(JSON.stringify(result)).not.toContain(secret.slice(0, 12));
  });

  it("unicode counts by character, not by UTF-16 unit", () => {
    expect(estimateSecretBits("🔑".repeat(40))).toBe(0);
    expect(estimateSecretBits("")).toBe(0);
  });
});

describe("configuration checks", () => {
  it("the development defaults: environment fails, the https-only parts warn", () => {
    const config = load({});
    expect(environmentCheck(config).status).toBe("fail");
    expect(appUrlCheck(config).status).toBe("warn");
    expect(cookiesCheck(config).status).toBe("warn");
    expect(hstsCheck(config).status).toBe("warn");
    expect(cspCheck(config).status).toBe("warn");
    expect(twoFactorCheck(config).status).toBe("warn");
  });

  it("a proper production configuration passes each", () => {
    const config = load({ ...PROD, METRICS_TOKEN: "m".repeat(32) });
    for (const check of [
      environmentCheck,
      appUrlCheck,
      cookiesCheck,
      hstsCheck,
      cspCheck,
      metricsTokenCheck,
      twoFactorCheck,
    ]) {
      expect(check(config)).toMatchObject({ status: "pass" });
    }
    expect(cookiesCheck(config).finding).toContain("__Host-session");
  });

  it("production on http: APP_URL fails, and Secure cookies would never come back", () => {
    const config = load({ ...PROD, APP_URL: "http://app.example.test" });
    expect(appUrlCheck(config).status).toBe("fail");
    expect(cookiesCheck(config)).toMatchObject({ status: "fail" });
    expect(cookiesCheck(config).finding).toContain("nobody stays signed in");
  });

  it.each([
    [{ HSTS_MAX_AGE: "0" }, hstsCheck, "fail"],
    [{ HSTS_MAX_AGE: "86400" }, hstsCheck, "warn"],
    [{ CSP_MODE: "relaxed" }, cspCheck, "fail"],
    [{ CSP_MODE: "report-only" }, cspCheck, "warn"],
    [{ REQUIRE_2FA_FOR_ADMINS: "false" }, twoFactorCheck, "warn"],
    [{}, metricsTokenCheck, "warn"],
  ] as const)("production with %j: %s", (env, check, status) => {
    const result = check(load({ ...PROD, ...env }));
    expect(result.status).toBe(status);
    expect(result.fix).toBeTruthy();
  });
});

describe("database facts", () => {
  it("pending migrations fail and are named; a missing file warns", () => {
    const pending = migrationsCheck(
      facts({ migrations: { pending: ["0017_passkeys"], missingFiles: [] } }),
    );
    expect(pending).toMatchObject({ status: "fail" });
    expect(pending.finding).toContain("0017_passkeys");
    expect(pending.fix).toContain("migrate up");
    const missing = migrationsCheck(
      facts({ migrations: { pending: [], missingFiles: ["0099_future"] } }),
    );
    expect(missing.status).toBe("warn");
  });

  it("no admin fails in production, warns in development", () => {
    const none = facts({ adminExists: false });
    expect(adminCheck(load(PROD), none).status).toBe("fail");
    expect(adminCheck(load({}), none).status).toBe("warn");
    expect(adminCheck(load(PROD), facts()).status).toBe("pass");
  });

  it("an unreadable database fails every line that needs it, once each", () => {
    const access: DbAccess = { kind: "unavailable", reason: "refused", fix: "start it" };
    expect(databaseCheck(load(PROD), access)).toMatchObject({ status: "fail", fix: "start it" });
    expect(migrationsCheck(access).finding).toContain("Not checked");
    expect(adminCheck(load(PROD), access).status).toBe("fail");
  });

  it("DuckDB in production warns that one instance is all it takes, louder with REDIS_URL", () => {
    const duck: DbAccess = { ...facts(), via: "server" } as DbAccess;
    const one = databaseCheck(load({ ...PROD, DATABASE_URL: "duckdb:/tmp/x.duckdb" }), duck);
    expect(one.status).toBe("warn");
    expect(one.finding).toContain("held by the running server");
    const redis = databaseCheck(
      load({ ...PROD, DATABASE_URL: "duckdb:/tmp/x.duckdb", REDIS_URL: "redis://127.0.0.1:1" }),
      duck,
    );
    expect(redis.finding).toContain("REDIS_URL is set");
    const memory = databaseCheck(load({ ...PROD, DATABASE_URL: "duckdb::memory:" }), duck);
    expect(memory.status).toBe("fail");
  });

  it.each([
    [0, 2, "pass"],
    [900, 2, "pass"],
    [-1500, 2, "warn"],
    [45_000, 10, "fail"],
    // Uncertain by half the round trip: 1.2 s measured over a 1 s round trip may be 0.7 s.
    [1200, 1000, "pass"],
  ] as const)("clock skew %d ms over a %d ms round trip: %s", (skew, rtt, status) => {
    expect(skewResult(skew, rtt, "postgres").status).toBe(status);
  });
});

describe("TRUST_PROXY against the setting and what the audit log saw", () => {
  const proxyOnly = facts({
    clientIps: { events: MIN_EVENTS_FOR_IP_EVIDENCE + 5, top: [{ ip: "10.0.0.5", count: 25 }] },
  });
  const crowd = facts({
    clientIps: {
      events: 300,
      top: [
        { ip: "203.0.113.9", count: 40 },
        { ip: "198.51.100.4", count: 30 },
      ],
    },
  });

  it("unset behind https: every client would be the proxy", () => {
    const result = trustProxyCheck(load(PROD), facts());
    expect(result.status).toBe("warn");
    expect(result.finding).toContain("TLS proxy");
  });

  it("unset, and the audit log shows one private address: named, with the setting to use", () => {
    const result = trustProxyCheck(load(PROD), proxyOnly);
    expect(result.status).toBe("warn");
    expect(result.finding).toContain("10.0.0.5");
    expect(result.fix).toContain("TRUST_PROXY=10.0.0.5");
  });

  it("threat: a hop count on a port clients can reach lets them forge X-Forwarded-For", () => {
    const open = trustProxyCheck(load({ ...PROD, TRUST_PROXY: "1", HOST: "0.0.0.0" }), crowd);
    expect(open.status).toBe("warn");
    expect(open.finding).toContain("pick their own address");
    const local = trustProxyCheck(load({ ...PROD, TRUST_PROXY: "1", HOST: "127.0.0.1" }), crowd);
    expect(local.status).toBe("pass");
  });

  it("named proxies and varied client addresses pass", () => {
    const result = trustProxyCheck(load({ ...PROD, TRUST_PROXY: "10.0.0.0/8" }), crowd);
    expect(result).toMatchObject({ status: "pass" });
  });

  it("development on loopback is not evidence of a proxy", () => {
    const loopback = facts({
      clientIps: { events: 100, top: [{ ip: "127.0.0.1", count: 100 }] },
    });
    expect(trustProxyCheck(load({}), loopback).status).toBe("pass");
  });
});

describe("the report", () => {
  it("counts, and prints a fix under each line that is not a pass", () => {
    const report = buildReport([
      { name: "a", status: "pass", finding: "fine." },
      { name: "bb", status: "warn", finding: "hmm.", fix: "do x." },
      { name: "c", status: "fail", finding: "bad.", fix: "do y." },
    ]);
    expect(report).toMatchObject({ ok: false, summary: { pass: 1, warn: 1, fail: 1 } });
    const text = textReport(report, "heading");
    expect(text).toContain("PASS  a   fine.");
    expect(text).toContain("FAIL  c   bad.");
    expect(text.filter((line) => line.includes("→"))).toHaveLength(2);
    expect(text.at(-1)).toBe("1 pass, 1 warn, 1 fail: not ready for production");
  });
});

describe("arguments", () => {
  it("accepts nothing or --json", () => {
    expect(acceptsDoctorArgs([])).toBe(true);
    expect(acceptsDoctorArgs(["--json"])).toBe(true);
  });

  it.each([
    [["--json", "--json"]],
    [["json"]],
    [["--JSON"]],
    [["--json=true"]],
    [["--fix"]],
    [["ｊｓｏｎ"]],
    [["'; DROP TABLE users; --"]],
    [["x".repeat(10_000)]],
  ])("refuses %j", (args) => {
    expect(acceptsDoctorArgs(args)).toBe(false);
  });
});
