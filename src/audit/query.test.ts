import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import type { AuditCursor } from "./cursor.js";
import { parseIpMatch } from "./ip-match.js";
import { createAuditQuery, MAX_SCAN } from "./query.js";

/** Rows at `offsets` (seconds after a base time; repeats share a timestamp), ids in random order. */
async function reseed(t: TestApp, offsets: readonly number[]): Promise<string[]> {
  await t.deps.db.execute("DELETE FROM audit_events");
  if (offsets.length === 0) return [];
  const values: string[] = [];
  const params: Array<string | Date> = [];
  offsets.forEach((offset, i) => {
    params.push(
      `id-${String((i * 7919) % 1000).padStart(3, "0")}-${i}`,
      new Date(Date.UTC(2025, 11, 1) + offset * 1000),
    );
    values.push(`($${params.length - 1}, 'logout', 'success', '{}', $${params.length})`);
  });
  await t.deps.db.execute(
    `INSERT INTO audit_events (id, type, outcome, details, created_at) VALUES ${values.join(", ")}`,
    params,
  );
  const rows = await t.deps.db.query<{ id: string }>(
    "SELECT id FROM audit_events ORDER BY created_at DESC, id DESC",
  );
  return rows.map((r) => r.id);
}

describe.each(availableDialects())("audit query (%s)", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("property: keyset pages older, then newer back, list every row once in order, ties included", async () => {
    const query = createAuditQuery({ db: t.deps.db });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 9 }),
        async (offsets, limit) => {
          const all = await reseed(t, offsets);
          const pages: string[][] = [];
          let cursor: AuditCursor | undefined;
          let last: AuditCursor | undefined;
          do {
            const page = await query.page({}, { cursor, limit });
            pages.push(page.rows.map((r) => r.id));
            last = cursor;
            cursor = page.older;
          } while (cursor && pages.length < 60);
          expect(pages.flat()).toEqual(all);
          // Back from the last page: Newer links give the earlier pages' rows again, in order.
          const back: string[] = [];
          let newer: AuditCursor | undefined = last
            ? (await query.page({}, { cursor: last, limit })).newer
            : undefined;
          while (newer) {
            const page = await query.page({}, { cursor: newer, limit });
            back.unshift(...page.rows.map((r) => r.id));
            newer = page.newer;
          }
          expect(back).toEqual(all.slice(0, back.length));
          if (pages.length > 1) expect(back.length).toBe(all.length - (pages.at(-1)?.length ?? 0));
        },
      ),
      { numRuns: dialect === "duckdb" ? 40 : 20 },
    );
  });

  it("property: export batches (time slices) list every row once, for dense and sparse spreads", async () => {
    const query = createAuditQuery({ db: t.deps.db });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 90_000_000 })),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 7 }),
        async (offsets, size) => {
          const all = await reseed(t, offsets);
          const seen: string[] = [];
          for await (const batch of query.batches({}, { size }))
            seen.push(...batch.map((r) => r.id));
          expect(seen).toEqual(all);
        },
      ),
      { numRuns: dialect === "duckdb" ? 40 : 15 },
    );
  });

  it("an IPv6 network matches every spelling of its addresses, in pages and batches", async () => {
    const query = createAuditQuery({ db: t.deps.db });
    await t.deps.db.execute("DELETE FROM audit_events");
    const ips = [
      "2001:db8::1",
      "2001:DB8:0:0:1::",
      "2001:0db8:0000:0000:ffff:0000:0000:0001",
      "2001:db8:0:1::1",
      "10.0.0.1",
      null,
    ];
    for (const [i, ip] of ips.entries()) {
      await t.deps.db.execute(
        "INSERT INTO audit_events (id, type, outcome, ip, details, created_at) VALUES ($1, 'logout', 'success', $2, '{}', $3)",
        [`ip-${i}`, ip, new Date(Date.UTC(2026, 0, 1, 0, i))],
      );
    }
    const ip = parseIpMatch("2001:db8::/64");
    const page = await query.page({ ip }, { limit: 2 });
    expect(page.rows.map((r) => r.id)).toEqual(["ip-2", "ip-1"]);
    expect(page.older).toBeDefined();
    const next = await query.page({ ip }, { limit: 2, cursor: page.older });
    expect(next.rows.map((r) => r.id)).toEqual(["ip-0"]);
    const batched: string[] = [];
    for await (const batch of query.batches({ ip }, { size: 1 }))
      batched.push(...batch.map((r) => r.id));
    expect(batched).toEqual(["ip-2", "ip-1", "ip-0"]);
    expect(await query.find("ip-0")).toMatchObject({ ip: "2001:db8::1", details: {} });
    expect(await query.find("nope")).toBeUndefined();
  });

  it("an IPv6 page stops after MAX_SCAN candidates, says so, and Older goes on from there", async () => {
    const query = createAuditQuery({ db: t.deps.db });
    await t.deps.db.execute("DELETE FROM audit_events");
    // One statement per engine: a row generator is not in the SQL both share.
    await t.deps.db.execute(
      dialect === "duckdb"
        ? `INSERT INTO audit_events (id, type, outcome, ip, details, created_at)
             SELECT 'n-' || lpad(CAST(i AS VARCHAR), 6, '0'), 'logout', 'success', '2001:db8:ffff::' || CAST(i AS VARCHAR), '{}',
               TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i)
             FROM range(${MAX_SCAN + 500}) t(i)`
        : `INSERT INTO audit_events (id, type, outcome, ip, details, created_at)
             SELECT 'n-' || lpad(i::text, 6, '0'), 'logout', 'success', '2001:db8:ffff::' || i::text, '{}',
               TIMESTAMPTZ '2026-01-01 00:00:00+00' + make_interval(secs => i)
             FROM generate_series(0, ${MAX_SCAN + 499}) AS t(i)`,
    );
    await t.deps.db.execute(
      "INSERT INTO audit_events (id, type, outcome, ip, details, created_at) VALUES ('hit', 'logout', 'success', '2001:db8::9', '{}', TIMESTAMPTZ '2025-12-31 00:00:00+00')",
    );
    const ip = parseIpMatch("2001:db8::/64");
    const first = await query.page({ ip }, { limit: 10 });
    expect(first).toMatchObject({ rows: [], scanCut: true });
    const next = await query.page({ ip }, { limit: 10, cursor: first.older });
    expect(next.rows.map((r) => r.id)).toEqual(["hit"]);
    expect(next.scanCut).toBe(false);
  });
});
