import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/env.js";
import {
  DEFAULT_POLICIES,
  POLICY_NAMES,
  parseRateLimitOverrides,
  parseWindow,
  resolvePolicies,
} from "./policies.js";

function problemsOf(raw: string): readonly string[] {
  try {
    parseRateLimitOverrides(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${raw} to be rejected`);
}

describe("rate-limit policy table", () => {
  it("holds the documented defaults", () => {
    const table = resolvePolicies(undefined);
    const summary = Object.fromEntries(
      POLICY_NAMES.map((n) => [
        n,
        `${table[n].limit}/${table[n].windowMs / 1000}s ${table[n].keyedBy}`,
      ]),
    );
    expect(summary).toEqual({
      global: "300/60s ip",
      login: "20/600s ip",
      login_account: "10/600s account",
      register: "10/3600s ip",
      password_reset: "3/3600s account",
      password_reset_ip: "10/3600s ip",
      verify_resend: "3/3600s account",
      two_factor: "5/900s pending_login",
      csp_report: "60/60s ip",
      setup: "10/900s ip",
    });
    for (const name of POLICY_NAMES) expect(table[name].description.length).toBeGreaterThan(10);
  });

  it("applies overrides by name and leaves the rest at their defaults", () => {
    const table = resolvePolicies(" login=5/30s , register = 2 / 1d ");
    expect(table.login).toMatchObject({ name: "login", limit: 5, windowMs: 30_000, keyedBy: "ip" });
    expect(table.register).toMatchObject({ limit: 2, windowMs: 86_400_000 });
    expect(table.global).toMatchObject({ limit: DEFAULT_POLICIES.global.limit });
    expect(Object.isFrozen(table) && Object.isFrozen(table.login)).toBe(true);
  });

  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["7d", 604_800_000],
  ])("parseWindow(%j) = %j", (text, ms) => {
    expect(parseWindow(text)).toBe(ms);
  });

  // Zero, over a week, fractions, no unit and unknown units are all refused.
  it.each(["0s", "8d", "1.5m", "10", "1w"])("parseWindow(%j) = undefined", (text) => {
    expect(parseWindow(text)).toBe(undefined);
  });

  it("refuses a typo instead of silently keeping the default (startup error)", () => {
    expect(problemsOf("logn=5/1m")).toEqual([
      `RATE_LIMITS: unknown policy "logn" (known: ${POLICY_NAMES.join(", ")})`,
    ]);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf("login=5,register=0/1h,global=10/1w,global=1/1m,csp_report=2/1m");
    expect(problems).toEqual([
      'RATE_LIMITS: "login=5" is not name=points/window (e.g. login=20/10m)',
      "RATE_LIMITS: register points must be between 1 and 1000000 (got 0)",
      'RATE_LIMITS: global window "1w" must be a number with s, m, h or d, between 1s and 7d',
      'RATE_LIMITS: policy "global" is set more than once',
    ]);
  });

  it("treats an empty value as no overrides", () => {
    expect(parseRateLimitOverrides(undefined)).toEqual({});
    expect(parseRateLimitOverrides("  ")).toEqual({});
  });

  it("does not accept prototype keys as policy names", () => {
    expect(problemsOf("constructor=1/1m")[0]).toContain('unknown policy "constructor"');
  });
});
