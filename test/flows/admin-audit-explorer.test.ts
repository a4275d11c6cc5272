import { afterEach, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/audit/cursor.js";
import type { User } from "../../src/users/user.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import {
  insertEvents,
  listedIds,
  pagerLink,
  problems,
  signedInAdmin,
} from "./audit-explorer-fixture.js";
import { login, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

/** The body as sent, byte order mark included (Response.text() drops it). */
async function withBom(res: Response): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
}

async function page(client: TestClient, path: string, status = 200): Promise<string> {
  const res = await client.get(path);
  expect(res.status, path).toBe(status);
  return res.text();
}

/** The seeded events' ids a filtered view lists (the admin's own sign-in events left out). */
async function ids(client: TestClient, query: string): Promise<string[]> {
  return listedIds(await page(client, `/admin/audit/events?${query}`)).filter((id) =>
    id.startsWith("ev-"),
  );
}

/** A cast of events, each told apart by one filter; the clock (2026-01-15 12:00) is after all of them. */
async function seedCast(alice: User, bob: User) {
  await insertEvents(t.deps.db, [
    {
      id: "ev-01",
      type: "login_succeeded",
      actor: alice.id,
      ip: "203.0.113.7",
      at: "2026-01-10T08:00:00Z",
      details: { method: "password" },
    },
    {
      id: "ev-02",
      type: "login_failed",
      outcome: "failure",
      target: alice.id,
      ip: "203.0.113.200",
      at: "2026-01-10T09:00:00Z",
      details: { reason: "bad_password" },
    },
    {
      id: "ev-03",
      type: "login_failed",
      outcome: "failure",
      ip: "198.51.100.1",
      at: "2026-01-11T09:00:00Z",
      details: { email: "zoë@example.com", note: "100% sure_not" },
    },
    {
      id: "ev-04",
      type: "role_changed",
      actor: bob.id,
      target: alice.id,
      ip: "2001:db8::1",
      at: "2026-01-12T10:00:00Z",
      details: { from: "user", to: "admin" },
    },
    {
      id: "ev-05",
      type: "two_factor_enabled",
      actor: bob.id,
      ip: "2001:db8::1:0:0:5",
      at: "2026-01-12T11:00:00Z",
    },
    {
      id: "ev-06",
      type: "csrf_rejected",
      outcome: "denied",
      ip: "2001:db8:0:1::5",
      at: "2026-01-13T10:00:00Z",
      details: { path: "/x" },
    },
    {
      id: "ev-07",
      type: "rate_limited",
      outcome: "denied",
      ip: "2001:0db8:0000:0000:0000:0000:0000:0007",
      at: "2026-01-13T11:00:00Z",
    },
    {
      id: "ev-08",
      type: "app_started",
      outcome: "info",
      at: "2026-01-14T00:00:00Z",
      details: { version: "1.0.0" },
    },
    { id: "ev-09", type: "logout", actor: bob.id, ip: "203.0.114.7", at: "2025-10-01T00:00:00Z" },
  ]);
}

describe.each(availableDialects())("audit event explorer (%s)", (dialect) => {
  async function setup() {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin(t);
    const alice = await seedUser(t, { email: "alice@example.com" });
    const bob = await seedUser(t, { email: "bob@example.com", firstName: "Bob" });
    await seedCast(alice, bob);
    return { admin, alice, bob };
  }

  it("threat: anonymous visitors and signed-in non-admins get the 404 of an unknown path on every audit path", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "alice@example.com" });
    const user = t.newClient();
    expect((await login(user)).status).toBe(303);
    for (const client of [t.newClient(), user]) {
      for (const path of [
        "/admin/audit",
        "/admin/audit?user=alice@example.com",
        "/admin/audit/events",
        "/admin/audit/events/ev-01",
        "/admin/audit/export?format=csv",
      ]) {
        const res = await client.get(path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get("location")).toBeNull();
      }
    }
  });

  it("each filter narrows to exactly its events, newest first", async () => {
    const { admin, alice, bob } = await setup();
    expect(await ids(admin, "")).toEqual([
      "ev-08",
      "ev-07",
      "ev-06",
      "ev-05",
      "ev-04",
      "ev-03",
      "ev-02",
      "ev-01",
      "ev-09",
    ]);
    expect(await ids(admin, "type=login_failed")).toEqual(["ev-03", "ev-02"]);
    expect(await ids(admin, "type=login_failed&type=logout")).toEqual(["ev-03", "ev-02", "ev-09"]);
    expect(await ids(admin, "type=login_failed,role_changed")).toEqual(["ev-04", "ev-03", "ev-02"]);
    expect(await ids(admin, "category=security")).toEqual(["ev-07", "ev-06"]);
    expect(await ids(admin, "category=mfa")).toEqual(["ev-05"]);
    expect(await ids(admin, "outcome=denied")).toEqual(["ev-07", "ev-06"]);
    expect(await ids(admin, "outcome=info")).toEqual(["ev-08"]);
    // A user is matched as actor OR target, by address or by id.
    expect(await ids(admin, "user=alice@example.com")).toEqual(["ev-04", "ev-02", "ev-01"]);
    expect(await ids(admin, "user=ALICE@example.com")).toEqual(["ev-04", "ev-02", "ev-01"]);
    expect(await ids(admin, `user=${bob.id}`)).toEqual(["ev-05", "ev-04", "ev-09"]);
    expect(await ids(admin, `user=${alice.id}&type=role_changed`)).toEqual(["ev-04"]);
    expect(await ids(admin, "from=2026-01-12&to=2026-01-13")).toEqual([
      "ev-07",
      "ev-06",
      "ev-05",
      "ev-04",
    ]);
    expect(await ids(admin, "from=2026-01-12T10:30&to=2026-01-13T10:00")).toEqual([
      "ev-06",
      "ev-05",
    ]);
    expect(await ids(admin, "to=2025-12-31")).toEqual(["ev-09"]);
  });

  it("free text searches details literally and case-insensitively, within a bounded window it names", async () => {
    const { admin } = await setup();
    expect(await ids(admin, "q=BAD_PASSWORD")).toEqual(["ev-02"]);
    expect(await ids(admin, "q=Zoë")).toEqual(["ev-03"]);
    // % and _ are characters, not wildcards.
    expect(await ids(admin, "q=100%25 sure_not")).toEqual(["ev-03"]);
    expect(await ids(admin, "q=1%25")).toEqual([]);
    const html = await page(admin, "/admin/audit/events?q=1.0.0");
    expect(listedIds(html)).toEqual(["ev-08"]);
    expect(html).toContain(
      "Text and IP searches cover 30 days unless you give a “from” date: searched from 2025-12-16.",
    );
    // A longer window is cut to 90 days, and the page says so.
    const wide = await page(admin, "/admin/audit/events?q=a&from=2020-01-01&to=2026-01-15");
    expect(wide).toContain("Text and IP searches cover at most 90 days: searched from 2025-10-18.");
  });

  it("an IP filter takes one address, an IPv4 /24 or an IPv6 /64 whatever its spelling", async () => {
    const { admin } = await setup();
    expect(await ids(admin, "ip=203.0.113.7")).toEqual(["ev-01"]);
    expect(await ids(admin, "ip=203.0.113.0/24")).toEqual(["ev-02", "ev-01"]);
    expect(await ids(admin, "ip=203.0.113.99/24")).toEqual(["ev-02", "ev-01"]);
    expect(await ids(admin, "ip=2001:db8::/64")).toEqual(["ev-07", "ev-05", "ev-04"]);
    expect(await ids(admin, "ip=2001:DB8:0:0:ffff::/64")).toEqual(["ev-07", "ev-05", "ev-04"]);
    expect(await ids(admin, "ip=2001:db8:0:1::/64")).toEqual(["ev-06"]);
    expect(await ids(admin, "ip=2001:db8::7")).toEqual(["ev-07"]);
    expect(await ids(admin, "ip=2001:db8::/32")).toEqual(["ev-07", "ev-06", "ev-05", "ev-04"]);
  });

  it("bad input: each value is named beside the form, no rows are shown, never a 500", async () => {
    const { admin } = await setup();
    const cases: Array<[string, RegExp]> = [
      ["from=2026-02-31", /is not a date/],
      ["to=yesterday", /is not a date/],
      ["from=2026-01-13&to=2026-01-12", /must be before/],
      ["type=nope", /“nope” is not an event type/],
      ["type=login_failed;DROP TABLE audit_events", /is not an event type/],
      ["category=everything", /is not a category/],
      ["outcome=maybe", /is not an outcome/],
      ["limit=100000", /from 1 to 200/],
      ["limit=-1", /from 1 to 200/],
      ["limit=abc", /from 1 to 200/],
      [`q=${"x".repeat(201)}`, /limited to 200 characters/],
      [`user=${"u".repeat(300)}`, /at most 254 characters/],
      ["ip=1.2.3.4/33", /is not an IP address/],
      ["ip=2001:db8::/8", /is not an IP address/],
      ["ip=' OR 1=1 --", /is not an IP address/],
      ["cursor=%%%", /page link is broken/],
      [
        `cursor=${encodeCursor({ direction: "older", key: "2026-02-31 00:00:00+00", id: "x" })}`,
        /page link is broken/,
      ],
      [
        `cursor=${Buffer.from('{"d":"o","k":"x","i":"y"}').toString("base64url")}`,
        /page link is broken/,
      ],
    ];
    for (const [query, message] of cases) {
      const html = await page(admin, `/admin/audit/events?${query}`, 400);
      expect(problems(html).join(" "), query).toMatch(message);
      expect(listedIds(html), query).toEqual([]);
      expect(html, query).toContain("No events shown.");
    }
    // SQL-looking and odd text is only ever searched for: nothing matches, the table is intact.
    for (const q of [
      "'; DROP TABLE audit_events; --",
      "\u0000zzq",
      "🙂",
      "<script>alert(1)</script>",
    ]) {
      const html = await page(admin, `/admin/audit/events?q=${encodeURIComponent(q)}`);
      expect(listedIds(html)).toEqual([]);
      expect(html).not.toContain("<script>alert(1)");
    }
    expect(await ids(admin, "type=login_failed")).toEqual(["ev-03", "ev-02"]);
    // An address no account has: said so, no rows (not every event).
    const unknown = await page(admin, "/admin/audit/events?user=nobody@example.com");
    expect(listedIds(unknown)).toEqual([]);
    expect(unknown).toContain("No account has the address “nobody@example.com”");
  });

  it("keyset pages go older and back newer without overlap or gap, ties on time broken by id", async () => {
    const { admin } = await setup();
    // 23 events in the same microsecond, and the 9 above.
    await insertEvents(
      t.deps.db,
      Array.from({ length: 23 }, (_, i) => ({
        id: `ev-tie-${String(i).padStart(2, "0")}`,
        type: "logout",
        at: "2026-01-11T12:00:00Z",
      })),
    );
    const seen: string[] = [];
    const pages: string[] = [];
    let path: string | undefined =
      "/admin/audit/events?limit=5&q=&type=logout,login_failed,login_succeeded";
    while (path) {
      pages.push(path);
      const html = await page(admin, path);
      seen.push(...listedIds(html));
      path = pagerLink(html, "Older");
      expect(pages.length).toBeLessThan(20);
    }
    const expected = (
      await ids(admin, "limit=200&type=logout,login_failed,login_succeeded")
    ).concat();
    expect(seen.filter((id) => id.startsWith("ev-"))).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    // Newer from the last page walks back to the first one.
    let back: string | undefined = pages.at(-1);
    const backwards: string[][] = [];
    while (back) {
      const html = await page(admin, back);
      backwards.unshift(listedIds(html));
      back = pagerLink(html, "Newer");
      expect(backwards.length).toBeLessThan(20);
    }
    expect(backwards.flat()).toEqual(seen);
  });

  it("GET /admin/audit with a filter goes to the explorer with the same query", async () => {
    const { admin } = await setup();
    const res = await admin.get("/admin/audit?user=alice@example.com&type=login_failed");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(
      "/admin/audit/events?user=alice%40example.com&type=login_failed",
    );
    expect((await admin.get("/admin/audit")).status).toBe(200);
  });

  it("one event's page shows every field, its details as escaped JSON, and links to related events", async () => {
    const { admin, alice, bob } = await setup();
    await insertEvents(t.deps.db, [
      {
        id: "ev-xss",
        type: "login_failed",
        outcome: "failure",
        target: alice.id,
        ip: "203.0.113.9",
        userAgent: "<b>agent</b>",
        at: "2026-01-14T01:00:00Z",
        details: { email: "<img src=x>" },
      },
    ]);
    const html = await page(admin, "/admin/audit/events/ev-04");
    expect(html).toContain("Role changed");
    expect(html).toContain("An admin or the CLI changed a user&#39;s role.");
    expect(html).toContain(`<a href="/admin/users/${bob.id}">bob@example.com</a>`);
    expect(html).toContain(`<a href="/admin/users/${alice.id}">alice@example.com</a>`);
    expect(html).toContain("&quot;to&quot;: &quot;admin&quot;");
    expect(html).toContain(`href="/admin/audit/events?ip=2001%3Adb8%3A%3A1"`);
    expect(html).toContain(`href="/admin/audit/events?user=${bob.id}"`);
    const xss = await page(admin, "/admin/audit/events/ev-xss");
    expect(xss).not.toContain("<img src=x>");
    expect(xss).not.toContain("<b>agent</b>");
    expect(xss).toContain("&lt;b&gt;agent&lt;/b&gt;");
    for (const id of ["nope", "x".repeat(500), "%00", "'%20OR%201=1"]) {
      expect((await admin.get(`/admin/audit/events/${id}`)).status, id).toBe(404);
    }
  });

  it("export: the filtered events as CSV (formula-safe) and NDJSON, then an audit_exported record", async () => {
    const { admin, alice } = await setup();
    await insertEvents(t.deps.db, [
      {
        id: "ev-csv",
        type: "login_failed",
        outcome: "failure",
        target: alice.id,
        ip: "203.0.113.5",
        userAgent: '=HYPERLINK("http://evil","x")',
        at: "2026-01-14T02:00:00Z",
        details: { email: "@SUM(1)", note: 'say "hi"' },
      },
    ]);
    const res = await admin.get("/admin/audit/export?format=csv&type=login_failed");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="audit-2026-01-15.csv"',
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    const lines = (await withBom(res)).split("\r\n");
    expect(lines[0]).toBe(
      '\uFEFF"id","created_at","type","category","outcome","actor_id","target_id","ip","user_agent","request_id","details"',
    );
    expect(lines.slice(1, -1).map((l) => l.slice(1, l.indexOf('"', 1)))).toEqual([
      "ev-csv",
      "ev-03",
      "ev-02",
    ]);
    // The agent starts with "=": an apostrophe keeps it text; quotes are doubled.
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(lines[1]).toContain('"2026-01-14T02:00:00.000Z","login_failed","auth","failure"');
    // details as JSON in one cell (key order is the engine's: PostgreSQL stores JSONB).
    expect(lines[1]).toContain('""email"":""@SUM(1)""');
    expect(lines[1]).toContain('""note"":""say \\""hi\\""""');

    const nd = await admin.get("/admin/audit/export?format=ndjson&user=alice@example.com");
    expect(nd.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const objects = (await nd.text())
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(objects.map((o) => o.id)).toEqual(["ev-csv", "ev-04", "ev-02", "ev-01"]);
    expect(objects[0]).toMatchObject({
      user_agent: '=HYPERLINK("http://evil","x")',
      details: { email: "@SUM(1)" },
      category: "auth",
    });

    await t.settle();
    const exported = await t.deps.audit.list({ type: "audit_exported", limit: 10 });
    // Both at the fixed clock's one time: compared in format order.
    expect(
      exported
        .map((e) => e.details)
        .sort((a, b) => String(a.format).localeCompare(String(b.format))),
    ).toEqual([
      { format: "csv", rows: 3, filter: { type: "login_failed" } },
      { format: "ndjson", rows: 4, filter: { user: "alice@example.com" } },
    ]);
    expect(exported.map((e) => e.outcome)).toEqual(["success", "success"]);
  });

  it("export: an empty range is a header-only CSV and an empty NDJSON; bad filters are a 400 and export nothing", async () => {
    const { admin } = await setup();
    const csv = await admin.get("/admin/audit/export?format=csv&from=2020-01-01&to=2020-01-02");
    expect(csv.status).toBe(200);
    expect(await withBom(csv)).toBe(
      '\uFEFF"id","created_at","type","category","outcome","actor_id","target_id","ip","user_agent","request_id","details"\r\n',
    );
    const nd = await admin.get("/admin/audit/export?format=ndjson&user=nobody@example.com");
    expect(nd.status).toBe(200);
    expect(await nd.text()).toBe("");
    for (const query of [
      "format=xlsx",
      "format=csv&from=2026-02-31",
      "format=csv&limit=9999",
      "format=ndjson&type=nope",
    ]) {
      const res = await admin.get(`/admin/audit/export?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-disposition"), query).toBeNull();
      expect(await res.text(), query).toMatch(/format is csv or ndjson|could not be used/);
    }
    await t.settle();
    const exported = await t.deps.audit.list({ type: "audit_exported", limit: 10 });
    expect(exported.map((e) => e.details.rows)).toEqual([0, 0]);
  });
});
