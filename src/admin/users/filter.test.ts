import { describe, expect, it } from "vitest";
import { isTimestampKey } from "../../lib/keyset-cursor.js";
import {
  cleanSearch,
  decodeCursor,
  encodeCursor,
  filterQuery,
  parseUserFilter,
  SEARCH_MAX_CHARS,
} from "./filter.js";

const parse = (query: string) => parseUserFilter(new URLSearchParams(query));

describe("user list filter", () => {
  it("keeps known values and drops everything else", () => {
    expect(parse("q=%20Ada%20&role=admin&status=locked&2fa=on&sort=email")).toEqual({
      search: "Ada",
      role: "admin",
      status: "locked",
      twoFactor: "on",
      sort: "email",
    });
    expect(parse("role=root&status=gone&2fa=yes&sort=random()&q=")).toEqual({
      search: "",
      role: undefined,
      status: undefined,
      twoFactor: undefined,
      sort: "newest",
    });
    expect(parse("role=constructor").role).toBeUndefined();
    expect(parse("role=__proto__").role).toBeUndefined();
  });

  it("cleans the search: NFKC, no control characters, at most SEARCH_MAX_CHARS code points", () => {
    expect(cleanSearch("ｆｕｌｌ")).toBe("full");
    expect(cleanSearch("a\u0000b\u0007c")).toBe("a b c");
    const emoji = "😀".repeat(SEARCH_MAX_CHARS + 5);
    const cut = cleanSearch(emoji);
    expect(Array.from(cut)).toHaveLength(SEARCH_MAX_CHARS);
    // No half of a surrogate pair left at the end.
    expect(cut.endsWith("😀")).toBe(true);
  });

  it("writes the query string back without defaults", () => {
    const filter = parse("q=a b&sort=newest&role=user");
    expect(filterQuery(filter)).toBe("?q=a+b&role=user");
    expect(filterQuery(parse(""))).toBe("");
    expect(filterQuery(parse("sort=oldest"), { after: "xyz" })).toBe("?sort=oldest&after=xyz");
  });
});

describe("keyset cursor", () => {
  it("round-trips for its own sort only", () => {
    const cursor = { key: "2026-01-15 12:00:00.123+00", id: "019b-abc" };
    const raw = encodeCursor("newest", cursor);
    expect(decodeCursor(raw, "newest")).toEqual(cursor);
    expect(decodeCursor(raw, "oldest")).toBeUndefined();
    expect(decodeCursor(encodeCursor("email", { key: "a@b", id: "1" }), "email")).toEqual({
      key: "a@b",
      id: "1",
    });
  });

  it("threat: tampering. Anything malformed decodes to undefined (the first page)", () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const raw of [
      undefined,
      "",
      "!!!",
      "x".repeat(801),
      Buffer.from("not json").toString("base64url"),
      b64(42),
      b64({ s: "newest", k: "2026-01-15 12:00:00+00" }),
      b64({ s: "newest", k: "2026-13-01 00:00:00+00", i: "a" }),
      b64({ s: "newest", k: "2026-01-15T12:00:00Z", i: "a" }),
      b64({ s: "newest", k: "2026-01-15 12:00:00+00", i: "a".repeat(101) }),
      b64({ s: "email", k: "a".repeat(401), i: "a" }),
      b64({ s: "email", k: "a\u0000", i: "a" }),
    ]) {
      expect(decodeCursor(raw, "newest")).toBeUndefined();
      expect(decodeCursor(raw, "email")).toBeUndefined();
    }
  });

  it("accepts only timestamps both engines print and can read back", () => {
    expect(isTimestampKey("2026-01-15 12:00:00+00")).toBe(true);
    expect(isTimestampKey("2026-01-15 12:00:00.123456+05:30")).toBe(true);
    expect(isTimestampKey("1970-01-01 00:00:00+00")).toBe(true);
    expect(isTimestampKey("2024-02-29 00:00:00+00")).toBe(true);
    expect(isTimestampKey("2026-02-29 00:00:00+00")).toBe(false);
    expect(isTimestampKey("2026-01-15 24:00:00+00")).toBe(false);
    expect(isTimestampKey("2026-01-15 12:60:00+00")).toBe(false);
    expect(isTimestampKey("2026-01-15 12:00:00+16")).toBe(false);
    expect(isTimestampKey("2026-01-15 12:00:00")).toBe(false);
    expect(isTimestampKey("0000-01-01 00:00:00+00")).toBe(false);
  });
});
