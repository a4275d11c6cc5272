import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fingerprint, QueryStats } from "./query-stats.js";

describe("fingerprint", () => {
  it("replaces string and number literals so no user data reaches metrics", () => {
    expect(fingerprint("SELECT * FROM users WHERE email = 'alice@example.com' AND age > 42")).toBe(
      "select * from users where email = ? and age > ?",
    );
    expect(fingerprint("SELECT 'it''s' AS quote, 3.14 AS pi")).toBe("select ? as quote, ? as pi");
  });

  it("treats $n parameters like literals", () => {
    expect(fingerprint("SELECT * FROM t WHERE a = $1 AND b = $12")).toBe(
      "select * from t where a = ? and b = ?",
    );
  });

  it("folds IN-lists of any length into one shape", () => {
    const one = fingerprint("SELECT * FROM t WHERE id IN ($1)");
    const many = fingerprint("SELECT * FROM t WHERE id IN ($1, $2,  $3)");
    const literals = fingerprint("SELECT * FROM t WHERE id IN (1, 2, 'x')");
    expect(many).toBe(one);
    expect(literals).toBe(one);
    expect(one).toBe("select * from t where id in (?)");
  });

  it("collapses whitespace and case, and drops comments", () => {
    expect(fingerprint("  SELECT\n\t*   FROM t -- find all\n /* hint */ WHERE x = 1 ")).toBe(
      "select * from t where x = ?",
    );
  });

  it("a literal containing comment markers does not leak its content", () => {
    expect(fingerprint("SELECT * FROM t WHERE token = 'abc--secret' AND n = 1")).toBe(
      "select * from t where token = ? and n = ?",
    );
    expect(fingerprint("SELECT '/* x' AS a, '*/ y' AS b")).toBe("select ? as a, ? as b");
  });

  it("never leaks a quoted literal, whatever it contains", () => {
    const unit = fc.constantFrom("s", "e", "c", "'", "-", "/", "*", "$", "1", " ", "\n", "(", ",");
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1 }), (secret) => {
        const escaped = secret.replace(/'/g, "''");
        expect(fingerprint(`SELECT * FROM t WHERE token = '${escaped}' LIMIT 1`)).toBe(
          "select * from t where token = ? limit ?",
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe("QueryStats", () => {
  it("aggregates count, errors, total, mean and max per fingerprint", () => {
    const stats = new QueryStats({ slowMs: 1000 });
    stats.record({ sql: "SELECT * FROM t WHERE id = $1", durationMs: 2, ok: true });
    stats.record({ sql: "select *  from t where id = 7", durationMs: 4, ok: true });
    stats.record({ sql: "SELECT * FROM t WHERE id = $1", durationMs: 9, ok: false });
    stats.record({ sql: "DELETE FROM t", durationMs: 1, ok: true });
    const [top, other] = stats.snapshot();
    expect(top).toEqual({
      fingerprint: "select * from t where id = ?",
      count: 3,
      errors: 1,
      totalMs: 15,
      meanMs: 5,
      maxMs: 9,
      p95Ms: 9,
    });
    expect(other?.fingerprint).toBe("delete from t");
  });

  it("computes p95 over the recorded durations", () => {
    const stats = new QueryStats({ slowMs: 10_000 });
    for (let ms = 1; ms <= 100; ms++) stats.record({ sql: "SELECT 1", durationMs: ms, ok: true });
    expect(stats.snapshot()[0]?.p95Ms).toBe(95);
  });

  it("calls onSlow at and above the threshold only, with the fingerprint not the raw SQL", () => {
    const slow: Array<{ fingerprint: string; durationMs: number }> = [];
    const stats = new QueryStats({ slowMs: 100, onSlow: (info) => slow.push(info) });
    stats.record({ sql: "SELECT * FROM users WHERE email = 'a@b.c'", durationMs: 99.9, ok: true });
    stats.record({ sql: "SELECT * FROM users WHERE email = 'a@b.c'", durationMs: 100, ok: true });
    stats.record({ sql: "SELECT * FROM users WHERE email = 'a@b.c'", durationMs: 250, ok: true });
    expect(slow).toEqual([
      { fingerprint: "select * from users where email = ?", durationMs: 100 },
      { fingerprint: "select * from users where email = ?", durationMs: 250 },
    ]);
  });

  it("memory stays bounded under a flood of distinct statements (no unbounded map)", () => {
    const stats = new QueryStats({ slowMs: 1000 });
    for (let i = 0; i < 2000; i++)
      stats.record({
        sql: `SELECT * FROM table_${"x".repeat(i % 997)}_${i}a`,
        durationMs: 1,
        ok: true,
      });
    expect(stats.snapshot().length).toBeLessThanOrEqual(500);
  });

  it("keeps a bounded latency sample per fingerprint while counting every call", () => {
    const stats = new QueryStats({ slowMs: 1e9 });
    for (let i = 0; i < 10_000; i++)
      stats.record({ sql: "SELECT 1", durationMs: i < 9_000 ? 1000 : 1, ok: true });
    const [entry] = stats.snapshot();
    expect(entry?.count).toBe(10_000);
    // Only the most recent window feeds p95: the old slow phase has rotated out.
    expect(entry?.p95Ms).toBe(1);
    expect(entry?.maxMs).toBe(1000);
  });

  it("reset() clears everything", () => {
    const stats = new QueryStats({ slowMs: 1000 });
    stats.record({ sql: "SELECT 1", durationMs: 1, ok: true });
    stats.reset();
    expect(stats.snapshot()).toEqual([]);
  });
});
