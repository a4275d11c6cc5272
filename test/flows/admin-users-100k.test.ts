import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { createUserDirectory } from "../../src/admin/users/directory.js";
import { encodeCursor, parseUserFilter } from "../../src/admin/users/filter.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { expectedCounts, seedUsersSql } from "./admin-users-fixture.js";
import { login, seedUser } from "./login-fixture.js";

/**
 * The user list at 100,000 accounts, on each database, over HTTP: the first
 * page (with the whole-table counts), a page from the middle of the table,
 * a search, the locked and 2FA filters, and a CSV export of 10,000 rows.
 * Each timing is the median of three requests after a warm-up one, printed
 * on one line per database for the note. The assertions are about
 * correctness, not speed: this is a busy 2-core machine shared with other
 * work, where wall-clock limits would only make the test flaky.
 */
const COUNT = 100_000;
const ADMIN = "root@example.com";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function listedIds(html: string): string[] {
  return [...html.matchAll(/href="\/admin\/users\/([^"/]+)" class="user-cell"/g)].map((m) =>
    decodeURIComponent(m[1] ?? ""),
  );
}

function stat(html: string, label: string): number {
  const re = new RegExp(
    `<dt class="stat__label">${label}</dt><dd class="stat__value">([\\d,]+)</dd>`,
  );
  return Number((re.exec(html)?.[1] ?? "NaN").replaceAll(",", ""));
}

function nextLink(html: string): string | undefined {
  const href = /<a class="btn btn--secondary btn--sm pager__next" href="([^"]+)"/.exec(html)?.[1];
  return href?.replaceAll("&amp;", "&");
}

/** `big-0001234`: the id seedUsersSql gives row i. */
const idOf = (i: number) => `big-${String(i).padStart(7, "0")}`;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

/** One warm-up, then the median of three: one slow outlier on a shared machine is not the page's cost. */
async function median<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  await run();
  const runs = [await timed(run), await timed(run), await timed(run)];
  runs.sort((a, b) => a.ms - b.ms);
  return runs[1] as { ms: number; value: T };
}

async function get(client: TestClient, path: string): Promise<string> {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

describe.each(availableDialects())("admin user list at 100k accounts (%s)", (dialect) => {
  it("stays correct, and its timings are reported", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: ADMIN, role: "admin" });
    const admin = t.newClient();
    expect((await login(admin, { email: ADMIN })).status).toBe(303);
    const now = t.clock.now().getTime();
    const seed = await timed(() =>
      seedUsersSql(t.deps.db, {
        count: COUNT,
        prefix: "big",
        base: new Date(now - 30 * 86_400_000),
        lockedUntil: new Date(now + 3_600_000),
      }),
    );
    const expected = expectedCounts(COUNT);

    // First page, with the whole-table counts.
    const first = await median(() => get(admin, "/admin/users"));
    expect(listedIds(first.value)).toEqual([
      // The admin was created after the seeded rows' created_at.
      expect.any(String),
      ...Array.from({ length: 49 }, (_, i) => idOf(COUNT - i)),
    ]);
    expect(stat(first.value, "Total")).toBe(COUNT + 1);
    expect(stat(first.value, "Admins")).toBe(expected.admins + 1);
    expect(stat(first.value, "Verified")).toBe(expected.verified + 1);
    expect(stat(first.value, "With 2FA")).toBe(expected.twoFactor);
    expect(stat(first.value, "Locked now")).toBe(expected.locked);

    // A page from the middle: the cursor of row 50,000, then two more pages by following links.
    const middle = await t.deps.db.one<{ k: string }>(
      "SELECT CAST(created_at AS TEXT) AS k FROM users WHERE id = $1",
      [idOf(50_000)],
    );
    const after = encodeCursor("newest", { key: middle?.k ?? "", id: idOf(50_000) });
    const deep = await median(() => get(admin, `/admin/users?after=${after}`));
    expect(listedIds(deep.value)).toEqual(Array.from({ length: 50 }, (_, i) => idOf(49_999 - i)));
    const page2 = await get(admin, nextLink(deep.value) as string);
    const page3 = await get(admin, nextLink(page2) as string);
    expect([...listedIds(page2), ...listedIds(page3)]).toEqual(
      Array.from({ length: 100 }, (_, i) => idOf(49_949 - i)),
    );

    // A search: "First1234" is in First1234 and First12340 to First12349.
    const search = await median(() => get(admin, "/admin/users?q=first1234"));
    expect(listedIds(search.value).sort()).toEqual(
      [1234, ...Array.from({ length: 10 }, (_, i) => 12_340 + i)].map(idOf).sort(),
    );
    expect(search.value).toContain("11 users match");

    // The locked filter (a join to login_attempts) and the 2FA filter.
    const locked = await median(() => get(admin, "/admin/users?status=locked"));
    expect(listedIds(locked.value)).toEqual(
      Array.from({ length: 50 }, (_, i) => idOf(COUNT - i * 500)),
    );
    expect(locked.value).toContain(`${expected.locked} users match`);
    const twoFactor = await median(() => get(admin, "/admin/users?2fa=on&sort=email"));
    expect(listedIds(twoFactor.value)).toEqual(
      Array.from({ length: 50 }, (_, i) => idOf((i + 1) * 10)),
    );
    expect(twoFactor.value).toContain(`${expected.twoFactor.toLocaleString("en")} users match`);

    // The counts alone (the same query the page runs).
    const directory = createUserDirectory({ db: t.deps.db, clock: t.clock });
    const counts = await median(() => directory.counts());
    expect(counts.value).toEqual({
      total: COUNT + 1,
      admins: expected.admins + 1,
      verified: expected.verified + 1,
      twoFactor: expected.twoFactor,
      locked: expected.locked,
    });
    // And the filtered count the export audits.
    expect(await directory.countMatching(parseUserFilter(new URLSearchParams("2fa=on")))).toBe(
      expected.twoFactor,
    );

    // CSV of every account with 2FA: 10,000 rows in keyset batches.
    const csv = await timed(async () => (await admin.get("/admin/users/export.csv?2fa=on")).text());
    const lines = csv.value.split("\r\n").slice(1, -1);
    expect(lines).toHaveLength(expected.twoFactor);
    expect(new Set(lines).size).toBe(expected.twoFactor);

    console.log(
      `[admin users 100k] ${dialect}: seed ${COUNT.toLocaleString("en")} rows ${fmt(seed.ms)} | ` +
        `first page + counts ${fmt(first.ms)} | deep page (row 50,000) ${fmt(deep.ms)} | ` +
        `search ${fmt(search.ms)} | locked filter ${fmt(locked.ms)} | 2FA filter by email ${fmt(twoFactor.ms)} | ` +
        `counts alone ${fmt(counts.ms)} | CSV of ${expected.twoFactor.toLocaleString("en")} rows ${fmt(csv.ms)}`,
    );
  }, 180_000);
});
