import { describe, expect, it } from "vitest";
import { load, problemsOf } from "../../test/config-fixture.js";

/** REDIS_KEY_PREFIX starts every Redis key and channel name, so it is refused unless plainly safe. */
describe("REDIS_KEY_PREFIX", () => {
  it('defaults to "bastion", the namespace the keys always had', () => {
    expect(load({ NODE_ENV: "test" }).redisKeyPrefix).toBe("bastion");
  });

  it.each(["acme", "acme-prod", "acme:eu_1", "A".repeat(64), "  staging  "])(
    "accepts %j",
    (value) => {
      expect(load({ NODE_ENV: "test", REDIS_KEY_PREFIX: value }).redisKeyPrefix).toBe(value.trim());
    },
  );

  it("reads an empty value as unset, as every variable does", () => {
    expect(load({ NODE_ENV: "test", REDIS_KEY_PREFIX: "" }).redisKeyPrefix).toBe("bastion");
  });

  it.each([
    ["blank", "   ", /^REDIS_KEY_PREFIX: must be 1 to 64 characters/],
    ["too long", "a".repeat(65), /^REDIS_KEY_PREFIX: must be 1 to 64 characters/],
    ["a glob", "bastion*", /^REDIS_KEY_PREFIX: must be 1 to 64 characters, each a letter/],
    ["a space inside", "my app", /^REDIS_KEY_PREFIX: must be 1 to 64 characters, each a letter/],
    [
      "a line break (log or protocol injection)",
      "a\r\nFLUSHALL",
      /^REDIS_KEY_PREFIX: must be 1 to 64 characters, each a letter/,
    ],
    ["unicode", "bästion", /^REDIS_KEY_PREFIX: must be 1 to 64 characters, each a letter/],
    ["a slash", "acme/prod", /^REDIS_KEY_PREFIX: must be 1 to 64 characters, each a letter/],
    [
      "quotes (injection)",
      "x';DEL *;--",
      /^REDIS_KEY_PREFIX: must be 1 to 64 characters, each a letter/,
    ],
  ])("refuses %s, naming the variable", (_what, value, problem) => {
    const problems = problemsOf({ NODE_ENV: "test", REDIS_KEY_PREFIX: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});
