import { describe, expect, it } from "vitest";
import { load, problemsOf } from "../../test/config-fixture.js";
import { ALERT_RULE_DEFAULTS, ALERT_RULE_NAMES, parseDurationSeconds } from "./alerts.js";
import { ConfigError } from "./env.js";

const SECRET = "s".repeat(32);

/** ALERT_*: rule overrides and channels; every bad one is named at start, in one error. */
describe("alert configuration", () => {
  it("has working defaults: every rule on, evaluation on, no channel but the log", () => {
    const { alerts } = load({});
    expect(alerts.evaluation).toBe(true);
    expect(alerts.emailTo).toEqual([]);
    expect(alerts.webhook).toBeUndefined();
    expect(Object.keys(alerts.rules)).toEqual(ALERT_RULE_NAMES);
    expect(alerts.rules.error_rate).toEqual({ ...ALERT_RULE_DEFAULTS.error_rate, enabled: true });
  });

  it("reads every setting of ALERT_RULES, with spaces around items", () => {
    const { alerts } = load({
      ALERT_RULES:
        " error_rate.threshold=2.5 , latency_p95.for=2m,memory_rss.enabled=false,failed_logins.severity=critical,error_rate.cooldown=1h,disk_low.for=0,",
    });
    expect(alerts.rules.error_rate).toMatchObject({ threshold: 2.5, cooldownSeconds: 3600 });
    expect(alerts.rules.latency_p95.forSeconds).toBe(120);
    expect(alerts.rules.memory_rss.enabled).toBe(false);
    expect(alerts.rules.failed_logins.severity).toBe("critical");
    expect(alerts.rules.disk_low.forSeconds).toBe(0);
    // Untouched rules keep their defaults.
    expect(alerts.rules.outbox_dead).toEqual({ ...ALERT_RULE_DEFAULTS.outbox_dead, enabled: true });
  });

  it("reads the channels", () => {
    const { alerts } = load({
      ALERT_EMAIL_TO: "ops@example.com, oncall@example.com",
      ALERT_WEBHOOK_URL: "https://hooks.example.com/alerts",
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_WEBHOOK_TIMEOUT_MS: "2000",
      ALERT_WEBHOOK_RETRIES: "3",
      ALERT_EVALUATION: "off",
    });
    expect(alerts.emailTo).toEqual(["ops@example.com", "oncall@example.com"]);
    expect(alerts.webhook).toEqual({
      url: "https://hooks.example.com/alerts",
      secret: SECRET,
      timeoutMs: 2000,
      retries: 3,
    });
    expect(alerts.evaluation).toBe(false);
  });

  it.each([
    [
      "an unknown rule",
      "x.threshold=3",
      'ALERT_RULES: unknown rule "x" in "x.threshold=3" (known: ',
    ],
    [
      "an unknown setting",
      "error_rate.limit=3",
      'ALERT_RULES: unknown setting "limit" in "error_rate.limit=3" (known: threshold, for, cooldown, severity, enabled)',
    ],
    ["a bad number", "error_rate.threshold=lots", "ALERT_RULES: threshold must be a number"],
    ["a negative number", "error_rate.threshold=-1", "ALERT_RULES: threshold must be a number"],
    ["an exponent", "error_rate.threshold=1e3", "ALERT_RULES: threshold must be a number"],
    ["an empty value", "error_rate.threshold=", "ALERT_RULES: threshold must be a number"],
    ["a bad severity", "error_rate.severity=page", "ALERT_RULES: severity must be one of"],
    ["a bad duration", "error_rate.for=5 minutes", "ALERT_RULES: for must be a duration"],
    ["a duration without unit", "error_rate.cooldown=30", "ALERT_RULES: cooldown must be"],
    ["a `for` over a day", "error_rate.for=25h", "ALERT_RULES: for must be a duration"],
    ["a bad boolean", "error_rate.enabled=maybe", "ALERT_RULES: enabled must be true or false"],
    ["no setting", "error_rate=5", 'ALERT_RULES: expected rule.setting=value in "error_rate=5"'],
    ["a twice-set key", "error_rate.for=1m,error_rate.for=2m", "error_rate.for is set twice"],
  ])("refuses %s, naming ALERT_RULES", (_what, value, problem) => {
    const problems = problemsOf({ ALERT_RULES: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it("reports every bad item together with every other problem in one ConfigError", () => {
    let error: unknown;
    try {
      load({
        ALERT_RULES: "nope.threshold=1,error_rate.for=soon,latency_p95.severity=loud",
        ALERT_EMAIL_TO: "not-an-address",
        ALERT_WEBHOOK_URL: "ftp://hooks.example.com",
        PORT: "eighty",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "ALERT_EMAIL_TO",
      "ALERT_WEBHOOK_URL",
      "ALERT_RULES",
      "ALERT_RULES",
      "ALERT_RULES",
    ]);
    expect((error as Error).message).toContain('unknown rule "nope"');
  });

  it("threat: a line break or a wall of text in ALERT_RULES cannot forge or bury report lines", () => {
    const [problem] = problemsOf({
      ALERT_RULES: `x\n  - SECRET_KEY: fine.threshold=1${"a".repeat(500)}`,
    });
    expect(problem).not.toContain("\n");
    expect(problem?.length).toBeLessThan(400);
    expect(problemsOf({ ALERT_RULES: "é.threshold=1" })[0]).toContain('unknown rule "é"');
    expect(problemsOf({ ALERT_RULES: "a".repeat(4001) })).toEqual([
      "ALERT_RULES: must be at most 4000 characters",
    ]);
  });

  it("requires ALERT_WEBHOOK_SECRET with a webhook URL, and bounds a notice's worst case", () => {
    expect(problemsOf({ ALERT_WEBHOOK_URL: "https://hooks.example.com/a" })).toEqual([
      expect.stringMatching(/^ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set/),
    ]);
    expect(
      problemsOf({
        ALERT_WEBHOOK_URL: "https://hooks.example.com/a",
        ALERT_WEBHOOK_SECRET: "short",
      }),
    ).toEqual(["ALERT_WEBHOOK_SECRET: must be at least 16 characters when set"]);
    expect(
      problemsOf({ ALERT_WEBHOOK_TIMEOUT_MS: "10000", ALERT_WEBHOOK_RETRIES: "2" })[0],
    ).toMatch(
      /^ALERT_WEBHOOK_TIMEOUT_MS: times \(ALERT_WEBHOOK_RETRIES \+ 1\) must be at most 20000 ms/,
    );
    expect(problemsOf({ ALERT_WEBHOOK_RETRIES: "9" })).toEqual([
      "ALERT_WEBHOOK_RETRIES: must be at most 5",
    ]);
  });

  it.each([
    ["ALERT_EMAIL_TO", "ops@example.com,,", undefined],
    ["ALERT_EMAIL_TO", "ops@example.com, <script>@x", /^ALERT_EMAIL_TO: must be email addresses/],
    [
      "ALERT_EMAIL_TO",
      Array.from({ length: 21 }, (_, i) => `o${i}@example.com`).join(","),
      /1 to 20/,
    ],
    ["ALERT_EVALUATION", "sometimes", /^ALERT_EVALUATION: must be on or off$/],
    ["ALERT_WEBHOOK_URL", "javascript:alert(1)", /^ALERT_WEBHOOK_URL: must be an absolute http/],
    ["ALERT_WEBHOOK_TIMEOUT_MS", "fast", /^ALERT_WEBHOOK_TIMEOUT_MS: must be a whole number/],
  ])("%s=%j", (name, value, problem) => {
    if (problem === undefined) {
      expect(load({ [name]: value }).alerts.emailTo).toEqual(["ops@example.com"]);
    } else {
      expect(problemsOf({ [name]: value })[0]).toMatch(problem);
    }
  });

  it("durations", () => {
    expect(["0", "30s", "5m", "1h", "2d"].map(parseDurationSeconds)).toEqual([
      0, 30, 300, 3600, 172_800,
    ]);
    for (const bad of ["", "5", "m", "-5m", "5 m", "1.5h", "5M", "1w"]) {
      expect(parseDurationSeconds(bad)).toBeUndefined();
    }
  });
});
