import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { admittedTypes, filterQuery, parseAuditFilter, parseUtc } from "./filter.js";
import { parseIpMatch } from "./ip-match.js";

const NOW = new Date("2026-01-15T12:00:00Z");
const parse = (query: string) => parseAuditFilter(new URLSearchParams(query), NOW);

describe("audit filter", () => {
  it("reads every parameter, trimmed, repeated types merged and de-duplicated", () => {
    const { filter, problems } = parse(
      "type=login_failed&type=logout,login_failed&category=auth&outcome=failure&user=%20a@b.c%20&from=2026-01-01&to=2026-01-02T10:30&limit=20",
    );
    expect(problems).toEqual([]);
    expect(filter).toMatchObject({
      types: ["login_failed", "logout"],
      category: "auth",
      outcome: "failure",
      user: "a@b.c",
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-01-02T10:30:00.001Z"),
      limit: 20,
    });
  });

  it("dates: a date-only 'to' covers its whole day; impossible dates are refused, not rolled over", () => {
    expect(parseUtc("2026-01-02", true)).toEqual(new Date("2026-01-03T00:00:00Z"));
    expect(parseUtc("2026-01-02T03:04:05.6Z")).toEqual(new Date("2026-01-02T03:04:05.600Z"));
    for (const bad of [
      "2026-02-31",
      "2026-13-01",
      "2026-01-01T24:00",
      "01/02/2026",
      "1969-12-31",
      "2026-1-1",
      "",
    ]) {
      expect(parseUtc(bad), bad).toBeUndefined();
    }
  });

  it("threat: unknown values are problems, never dropped into a wider search", () => {
    const { problems } = parse(
      "type=login_failed&type=x'--&category=nope&outcome=ok&limit=201&ip=1.2.3.4/20",
    );
    expect(problems.map((p) => p.field)).toEqual(["type", "category", "outcome", "ip", "limit"]);
    expect(
      parse(`type=${Array.from({ length: 21 }, (_, i) => `t${i}`).join(",")}`).problems[0]?.message,
    ).toMatch(/at most 20/);
  });

  it("text and IP searches get a bounded window; other filters do not", () => {
    expect(parse("q=x").filter.from).toEqual(new Date("2025-12-16T12:00:00Z"));
    expect(parse("ip=1.2.3.4").filter.from).toEqual(new Date("2025-12-16T12:00:00Z"));
    expect(parse("q=x&from=2025-01-01").filter.from).toEqual(new Date("2025-10-17T12:00:00Z"));
    expect(parse("q=x&from=2026-01-01").notices).toEqual([]);
    expect(parse("type=logout").filter.from).toBeUndefined();
  });

  it("a category narrows the types; a type outside it leaves nothing", () => {
    expect(admittedTypes(parse("").filter)).toBeUndefined();
    expect(admittedTypes(parse("category=mfa").filter)).toContain("two_factor_enabled");
    expect(admittedTypes(parse("category=mfa&type=logout").filter)).toEqual([]);
  });

  it("the query string round-trips through the form, empty values left out", () => {
    const { form } = parse("q=a%20b&type=&outcome=info");
    expect(filterQuery(form, { cursor: "c" })).toBe("?outcome=info&q=a+b&cursor=c");
  });

  it("cursors: round trip; tampered, oversized or impossible ones are refused", () => {
    const cursor = { direction: "older" as const, key: "2026-01-02 03:04:05.123456+00", id: "abc" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    const raw = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    for (const bad of [
      "!!",
      "x".repeat(500),
      raw({ d: "x", k: cursor.key, i: "a" }),
      raw({ d: "o", k: "2026-02-30 00:00:00+00", i: "a" }),
      raw({ d: "o", k: "'; DROP TABLE x; --", i: "a" }),
      raw({ d: "o", k: cursor.key, i: "" }),
      raw({ d: "o", k: cursor.key, i: "a\u0000" }),
      raw([1, 2]),
    ]) {
      expect(decodeCursor(bad), bad).toBeUndefined();
    }
  });

  it("IP: addresses and networks in any spelling; other prefixes and junk refused", () => {
    expect(parseIpMatch("203.0.113.9/24")).toMatchObject({
      kind: "v4net",
      prefix: "203.0.113.",
      text: "203.0.113.0/24",
    });
    expect(parseIpMatch("::ffff:203.0.113.9")).toMatchObject({
      kind: "v4",
      address: "203.0.113.9",
    });
    expect(parseIpMatch("[2001:DB8::1]")).toMatchObject({ kind: "v6", text: "2001:db8::1" });
    for (const bad of [
      "1.2.3.4/20",
      "1.2.3.4/",
      "1.2.3/24",
      "2001:db8::/8",
      "2001:db8::/129",
      "a/b/c",
      "300.1.1.1",
      "' OR 1=1",
    ]) {
      expect(parseIpMatch(bad), bad).toBeUndefined();
    }
  });
});
