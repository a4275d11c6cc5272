import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import type { SqlValue } from "../db/db.js";
import {
  activityTypes,
  decodeCursor,
  encodeCursor,
  firstSignInByIp,
  isActivityGroup,
  listUserActivity,
} from "./user-activity.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const ME = "019bc186-de00-74c1-a06a-a063359800a1";
const OTHER = "019bc186-de00-74c1-a06a-a063359800a2";
const T0 = Date.parse("2026-01-15T12:00:00Z");

interface Seed {
  type: string;
  actor?: string | null;
  target?: string | null;
  ip?: string;
  outcome?: string;
  /** Minutes before T0. */
  ago: number;
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** One INSERT for all rows (ids in insertion order). */
async function seed(rows: Seed[]): Promise<void> {
  const params: SqlValue[] = [];
  const values = rows.map((row, i) => {
    params.push(
      id(i + 1),
      row.type,
      row.outcome ?? "success",
      row.actor === undefined ? ME : row.actor,
      row.target === undefined ? ME : row.target,
      row.ip ?? null,
      new Date(T0 - row.ago * 60_000),
    );
    const n = params.length;
    return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, '{}', $${n})`;
  });
  await t.deps.db.execute(
    `INSERT INTO audit_events (id, type, outcome, actor_id, target_id, ip, details, created_at)
     VALUES ${values.join(", ")}`,
    params,
  );
}

describe("activity cursors", () => {
  it("round-trip, and anything else is no cursor", () => {
    const cursor = { direction: "older" as const, at: new Date(T0), id: id(7) };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor(`n.${T0}.${id(7)}`)?.direction).toBe("newer");
    for (const bad of [
      "",
      "o",
      `x.${T0}.${id(7)}`,
      `o.-1.${id(7)}`,
      `o.${T0}.${ME.toUpperCase()}`,
      `o.${T0}.${id(7)}x`,
      `o.1e5.${id(7)}`,
      `o.${"9".repeat(16)}.${id(7)}`,
      `o.${T0}.' OR 1=1 --`,
      `o.${T0}.${id(7)}\n`,
    ]) {
      expect(decodeCursor(bad), bad).toBeUndefined();
    }
  });

  it("groups are a closed set; inherited names are not groups", () => {
    expect(isActivityGroup("signins")).toBe(true);
    for (const bad of ["all", "toString", "__proto__", "constructor", "SIGNINS"]) {
      expect(isActivityGroup(bad), bad).toBe(false);
    }
    expect(activityTypes()).toEqual(expect.arrayContaining([...activityTypes("sessions")]));
    expect(activityTypes()).not.toContain("rate_limited");
  });
});

describe.each(availableDialects())("listUserActivity (%s)", (dialect) => {
  it("lists only this user's events of the log's types, newest first, ties broken by id", async () => {
    t = await createTestApp({ dialect });
    await seed([
      { type: "login_succeeded", ago: 10 },
      { type: "login_failed", actor: null, ago: 5, outcome: "failure" },
      { type: "login_succeeded", ago: 5 },
      { type: "role_changed", actor: OTHER, ago: 3 },
      { type: "login_succeeded", actor: OTHER, target: OTHER, ago: 2 },
      { type: "login_failed", actor: null, target: OTHER, ago: 2 },
      // Guard noise about the user: not part of their log.
      { type: "rate_limited", target: null, ago: 1 },
      { type: "csrf_rejected", target: null, ago: 1 },
    ]);
    const page = await listUserActivity(t.deps.db, { userId: ME });
    expect(page.events.map((e) => e.id)).toEqual([id(4), id(3), id(2), id(1)]);
    expect(page.older).toBeUndefined();
    expect(page.newer).toBeUndefined();
    const signIns = await listUserActivity(t.deps.db, {
      userId: ME,
      types: activityTypes("signins"),
    });
    expect(signIns.events.map((e) => e.type)).toEqual([
      "login_succeeded",
      "login_failed",
      "login_succeeded",
    ]);
    expect((await listUserActivity(t.deps.db, { userId: OTHER })).events.map((e) => e.id)).toEqual([
      id(6),
      id(5),
      id(4),
    ]);
    expect((await listUserActivity(t.deps.db, { userId: ME, types: [] })).events).toEqual([]);
  });

  it("pages both ways without overlap or gap; the limit is clamped", async () => {
    t = await createTestApp({ dialect });
    // 12 events, three pairs sharing a timestamp.
    await seed(
      Array.from({ length: 12 }, (_, i) => ({ type: "logout", ago: Math.floor(i / 2) * 2 + 1 })),
    );
    const seen: string[] = [];
    let page = await listUserActivity(t.deps.db, { userId: ME, limit: 5 });
    const first = page.events.map((e) => e.id);
    seen.push(...first);
    while (page.older) {
      page = await listUserActivity(t.deps.db, { userId: ME, limit: 5, cursor: page.older });
      seen.push(...page.events.map((e) => e.id));
    }
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    // Back up from the last page to the first: the same first page, and no newer link on it.
    let back = page;
    while (back.newer) {
      back = await listUserActivity(t.deps.db, { userId: ME, limit: 5, cursor: back.newer });
    }
    expect(back.events.map((e) => e.id)).toEqual(first);
    expect(back.older).toBeDefined();
    for (const limit of [0, -5, 10_000, Number.NaN]) {
      const clamped = await listUserActivity(t.deps.db, { userId: ME, limit });
      expect(clamped.events.length, String(limit)).toBeGreaterThanOrEqual(1);
      expect(clamped.events.length, String(limit)).toBeLessThanOrEqual(12);
    }
  });

  it("knows when an address first signed in to the account", async () => {
    t = await createTestApp({ dialect });
    await seed([
      { type: "login_succeeded", ip: "203.0.113.5", ago: 60 },
      { type: "login_succeeded", ip: "203.0.113.5", ago: 30 },
      { type: "login_failed", actor: null, ip: "192.0.2.1", ago: 20, outcome: "failure" },
      { type: "login_succeeded", actor: OTHER, target: OTHER, ip: "192.0.2.9", ago: 10 },
    ]);
    const first = await firstSignInByIp(t.deps.db, ME, ["203.0.113.5", "192.0.2.1", "192.0.2.9"]);
    expect([...first.keys()]).toEqual(["203.0.113.5"]);
    expect(first.get("203.0.113.5")?.toISOString()).toBe(new Date(T0 - 3600_000).toISOString());
    expect((await firstSignInByIp(t.deps.db, ME, [])).size).toBe(0);
  });
});
