import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, ORIGIN } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { signInAdmin, signInUser } from "./admin-user-fixture.js";
import { login, seedUser } from "./login-fixture.js";

const PAGE = "/admin/performance";
const DAY = 24 * 60 * 60 * 1000;

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function main(html: string): string {
  return html.slice(html.indexOf("<main"), html.indexOf("</main>"));
}

const stat = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

/** The admin's round trip: open the page, post the form of `path` with the page's token. */
async function post(client: TestClient, path: string, extra: Record<string, string> = {}) {
  const token = csrfFrom(await (await client.get(PAGE)).text());
  return client.post(`${PAGE}/${path}`, { _csrf: token, ...extra }, { Origin: ORIGIN });
}

async function insertSession(t: TestApp, id: string, userId: string, expiresAt: Date) {
  const at = new Date(expiresAt.getTime() - DAY);
  await t.deps.db.execute(
    `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent, sudo_until, csrf_secret)
     VALUES ($1, $2, $3, $3, $4, NULL, NULL, NULL, 'secret')`,
    [id, userId, at, expiresAt],
  );
}

async function insertMail(t: TestApp, id: string, status: string, at: Date) {
  await t.deps.db.execute(
    `INSERT INTO mail_outbox (id, to_address, subject, text_body, html_body, template, user_id,
       status, attempts, next_attempt_at, created_at, sent_at)
     VALUES ($1, 'old@example.com', 's', 't', 'h', 'verification', NULL, $2, 1, $3, $3, $4)`,
    [id, status, at, status === "sent" ? at : null],
  );
}

async function insertToken(t: TestApp, id: string, userId: string, expiresAt: Date) {
  await t.deps.db.execute(
    `INSERT INTO auth_tokens (id, user_id, purpose, token_hash, data, expires_at, used_at, created_at)
     VALUES ($1, $2, 'password_reset', $1, NULL, $3, NULL, $3)`,
    [id, userId, expiresAt],
  );
}

async function auditRows(t: TestApp, type: "maintenance_run" | "caches_cleared") {
  return t.deps.audit.list({ type, limit: 10 });
}

describe.each(availableDialects())("/admin/performance (%s)", (dialect) => {
  it("is a 404 for anonymous visitors and signed-in users without admin access, GET and POST", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "jane@example.com" });
    const anonymous = t.newClient();
    const jane = await signInUser(t, "jane@example.com");
    const token = csrfFrom(await (await jane.get("/account")).text());
    for (const client of [anonymous, jane]) {
      expect((await client.get(PAGE)).status).toBe(404);
      expect((await client.get(`${PAGE}/maintenance`)).status).toBe(404);
    }
    for (const path of ["maintenance", "caches/clear"]) {
      const res = await jane.post(`${PAGE}/${path}`, { _csrf: token }, { Origin: ORIGIN });
      expect(res.status).toBe(404);
    }
    expect(await auditRows(t, "maintenance_run")).toHaveLength(0);
    expect(await auditRows(t, "caches_cleared")).toHaveLength(0);
  });

  it("shows statements, the session cache and rate-limit decisions after traffic, without values", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: "login=3/10m" } });
    await seedUser(t, { email: "jane@example.com" });
    // Failed sign-ins whose address looks like SQL: the page must show shapes, never it.
    const needle = "needle'); DROP TABLE users;--@example.com";
    const stranger = t.newClient();
    for (let i = 0; i < 2; i++) await login(stranger, { email: needle, password: "wrong" });
    const { client } = await signInAdmin(t, { sudo: false });
    // The 4th sign-in on this network: refused by the login policy (3 per 10 min).
    expect((await login(t.newClient(), { email: needle, password: "wrong" })).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await client.get("/admin")).status).toBe(200);

    const res = await client.get(PAGE);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = main(await res.text());
    expect(html).toContain("this instance</strong>, since 2026-01-15 12:00 UTC");
    expect(Number(stat(html, "stat-statements")?.replace(/,/g, ""))).toBeGreaterThan(10);
    expect(Number(stat(html, "stat-fingerprints"))).toBeGreaterThan(3);
    expect(html).toContain('id="slow-queries"');
    expect(html).toContain('id="frequent-queries"');
    // Audit writes are among the most frequent statements, as a shape with ? for the values.
    expect(html).toMatch(
      /<code class="perf-sql__code"[^>]*>insert into audit_events \([^<]*values \(\?\)/,
    );
    expect(html).not.toContain("needle");
    expect(html).not.toContain("DROP TABLE");
    // The admin's repeated requests were served from the cache.
    expect(Number(stat(html, "cache-hits"))).toBeGreaterThan(0);
    expect(Number(stat(html, "cache-misses"))).toBeGreaterThan(0);
    expect(Number(stat(html, "cache-entries"))).toBeGreaterThan(0);
    expect(stat(html, "cache-hit-rate")).toMatch(/^\d+\.\d%$/);
    expect(stat(html, "cache-evictions")).toBe("0");
    const loginRow = /<code>login<\/code>[\s\S]*?<\/tr>/.exec(html)?.[0] ?? "";
    expect(loginRow).toContain("3 / 10 min");
    expect(loginRow).toMatch(/data-label="Allowed" class="num">3</);
    expect(loginRow).toMatch(/class="badge badge--warn">1</);
    expect(stat(html, "stat-blocked")).toBe("1");
    // The tab bar lists the section, open here.
    expect(html).toMatch(
      /<a href="\/admin\/performance" class="admin-nav__link" aria-current="page">/,
    );
  });

  it("runs maintenance: expired sessions and stale tokens go, old finished mail goes, audited and reported", async () => {
    t = await createTestApp({ dialect });
    const jane = await seedUser(t, { email: "jane@example.com" });
    const { client, admin } = await signInAdmin(t, { sudo: false });
    const now = t.clock.now();
    await insertSession(t, "expired-one", jane.id, new Date(now.getTime() - 60_000));
    await insertSession(t, "live-one", jane.id, new Date(now.getTime() + DAY));
    // Tokens stay a day after expiry for support questions (src/sessions/cleanup.ts).
    await insertToken(t, "stale-token", jane.id, new Date(now.getTime() - 2 * DAY));
    await insertToken(t, "fresh-token", jane.id, new Date(now.getTime() + DAY));
    await insertMail(t, "old-sent", "sent", new Date(now.getTime() - 40 * DAY));
    await insertMail(t, "old-suppressed", "suppressed", new Date(now.getTime() - 31 * DAY));
    await insertMail(t, "recent-sent", "sent", new Date(now.getTime() - 2 * DAY));
    await insertMail(t, "old-dead", "dead", new Date(now.getTime() - 90 * DAY));
    await insertMail(t, "old-pending", "pending", new Date(now.getTime() - 90 * DAY));

    const res = await post(client, "maintenance");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PAGE}?done=maintenance`);

    const ids = await t.deps.db.query<{ id: string }>("SELECT id FROM sessions ORDER BY id");
    expect(ids.map((r) => r.id)).not.toContain("expired-one");
    expect(ids.map((r) => r.id)).toContain("live-one");
    const tokens = await t.deps.db.query<{ id: string }>("SELECT id FROM auth_tokens ORDER BY id");
    expect(tokens.map((r) => r.id)).toEqual(["fresh-token"]);
    const mail = await t.deps.db.query<{ id: string }>(
      "SELECT id FROM mail_outbox WHERE to_address = 'old@example.com' ORDER BY id",
    );
    expect(mail.map((r) => r.id)).toEqual(["old-dead", "old-pending", "recent-sent"]);

    const [event] = await auditRows(t, "maintenance_run");
    expect(event?.actorId).toBe(admin?.id);
    expect(event?.outcome).toBe("success");
    expect(event?.details).toMatchObject({
      sessions: 1,
      links: 1,
      mail: 2,
      checkpoint: dialect === "duckdb" ? "done" : "not_needed",
    });

    const page = main(await (await client.get(res.headers.get("Location") as string)).text());
    expect(page).toContain("Maintenance done");
    expect(page).toContain("Deleted 1 expired session, 1 used or expired link and 0 lapsed");
    expect(page).toContain("Pruned 2 sent or suppressed messages older than 2025-12-16 12:00 UTC.");
    expect(page).toContain(
      dialect === "duckdb" ? "DuckDB was checkpointed" : "No checkpoint needed: PostgreSQL",
    );
    expect(page).toMatch(/id="last-maintenance">Last run 2026-01-15 12:00 UTC\./);

    // Again a second later: nothing left to delete, and it says so.
    t.clock.advance(1000);
    const again = await post(client, "maintenance");
    expect(again.status).toBe(303);
    const second = main(await (await client.get(`${PAGE}?done=maintenance`)).text());
    expect(second).toContain("Deleted 0 expired sessions,");
    expect(await auditRows(t, "maintenance_run")).toHaveLength(2);
  });

  it("clears the session cache: audited, and each session's next request is a miss", async () => {
    t = await createTestApp({ dialect });
    const { client, admin } = await signInAdmin(t, { sudo: false });
    await client.get("/admin");
    expect(t.deps.sessions.cacheStats().entries).toBeGreaterThan(0);

    const res = await post(client, "caches/clear");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PAGE}?done=caches`);
    expect(t.deps.sessions.cacheStats().entries).toBe(0);
    const [event] = await auditRows(t, "caches_cleared");
    expect(event?.actorId).toBe(admin?.id);
    expect(Number(event?.details.sessionCache)).toBeGreaterThan(0);

    const before = t.deps.sessions.cacheStats();
    const page = main(await (await client.get(`${PAGE}?done=caches`)).text());
    const after = t.deps.sessions.cacheStats();
    expect(after.misses).toBe(before.misses + 1);
    expect(after.entries).toBe(1);
    expect(page).toContain("Caches cleared");
    expect(page).toMatch(/The session look-up cache of this instance was emptied \(\s*1 entry\)/);
    // The next one is a hit again.
    await client.get("/admin");
    expect(t.deps.sessions.cacheStats().hits).toBe(after.hits + 1);
  });

  it("refuses forged, malformed and GET requests without acting, never with a 500", async () => {
    t = await createTestApp({ dialect });
    const { client } = await signInAdmin(t, { sudo: false });
    const token = csrfFrom(await (await client.get(PAGE)).text());
    for (const path of ["maintenance", "caches/clear"]) {
      const url = `${PAGE}/${path}`;
      const get = await client.get(url);
      expect(get.status, `GET ${path}`).toBe(405);
      expect(get.headers.get("Allow")).toBe("POST");
      // No token, an empty one, a wrong one, no Origin from another site.
      expect((await client.post(url, {}, { Origin: ORIGIN })).status).toBe(403);
      expect((await client.post(url, { _csrf: "" }, { Origin: ORIGIN })).status).toBe(403);
      expect((await client.post(url, { _csrf: "x".repeat(60) }, { Origin: ORIGIN })).status).toBe(
        403,
      );
      expect(
        (await client.post(url, { _csrf: token }, { Origin: "https://evil.example" })).status,
      ).toBe(403);
      // A valid token with fields the action does not take: SQL-looking, unicode, long.
      const extras: Record<string, string>[] = [
        { days: "0" },
        { sessions: "'; DELETE FROM users;--" },
        { name: "zoë 🚀" },
        { note: "x".repeat(20_000) },
      ];
      for (const extra of extras) {
        const res = await client.post(url, { _csrf: token, ...extra }, { Origin: ORIGIN });
        expect(res.status, `${path} ${Object.keys(extra)[0]}`).toBe(400);
      }
      const json = await client.request(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ORIGIN, "X-CSRF-Token": token },
        body: JSON.stringify({ _csrf: token }),
      });
      expect([400, 403, 415]).toContain(json.status);
    }
    expect(await auditRows(t, "maintenance_run")).toHaveLength(0);
    expect(await auditRows(t, "caches_cleared")).toHaveLength(0);
    // ?done= only picks a message, and only after a real run.
    const page = main(await (await client.get(`${PAGE}?done=maintenance`)).text());
    expect(page).not.toContain("Maintenance done");
    const odd = await client.get(`${PAGE}?done=%3Cscript%3E`);
    expect(odd.status).toBe(200);
    expect(await odd.text()).not.toContain("<script>alert");
  });
});
