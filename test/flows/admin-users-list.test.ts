import { afterEach, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/admin/users/filter.js";
import type { User } from "../../src/users/user.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { expectedCounts, seedUsersSql } from "./admin-users-fixture.js";
import { login, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const ADMIN = "root@example.com";

/** A user created through the real repository, without a password (fast: no hashing). */
async function account(
  email: string,
  options: { firstName?: string; lastName?: string; verified?: boolean; role?: "admin" } = {},
): Promise<User> {
  const result = await t.deps.users.create({
    email,
    firstName: options.firstName ?? "Test",
    lastName: options.lastName ?? "Person",
    passwordHash: null,
    role: options.role,
    emailVerifiedAt: options.verified === false ? null : t.clock.now(),
  });
  if (!result.ok) throw new Error(result.reason);
  return result.user;
}

async function signedInAdmin(): Promise<TestClient> {
  await seedUser(t, { email: ADMIN, role: "admin", firstName: "Root", lastName: "Admin" });
  const client = t.newClient();
  expect((await login(client, { email: ADMIN })).status).toBe(303);
  return client;
}

/** The emails of the rows the page lists, in order. */
function listedEmails(html: string): string[] {
  return [...html.matchAll(/<span class="user-cell__email">([^<]*)<\/span>/g)].map(
    (m) => m[1] ?? "",
  );
}

/** The ids the page links to, in order. */
function listedIds(html: string): string[] {
  return [...html.matchAll(/href="\/admin\/users\/([^"/]+)" class="user-cell"/g)].map((m) =>
    decodeURIComponent(m[1] ?? ""),
  );
}

function nextLink(html: string): string | undefined {
  const href = /<a class="btn btn--secondary btn--sm pager__next" href="([^"]+)"/.exec(html)?.[1];
  return href?.replaceAll("&amp;", "&");
}

function stat(html: string, label: string): number {
  const re = new RegExp(
    `<dt class="stat__label">${label}</dt><dd class="stat__value">([\\d,]+)</dd>`,
  );
  const value = re.exec(html)?.[1];
  if (value === undefined) throw new Error(`no stat ${label}`);
  return Number(value.replaceAll(",", ""));
}

async function page(client: TestClient, path: string): Promise<string> {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

/** A known cast: one account per state the filters tell apart. */
async function seedCast() {
  t.clock.advance(1000);
  const alice = await account("alice@example.com", { firstName: "Alice", lastName: "Liddell" });
  t.clock.advance(1000);
  const bob = await account("bob@example.com", { firstName: "Bob", verified: false });
  t.clock.advance(1000);
  const carol = await account("carol@example.com", { firstName: "Carol" });
  await t.deps.users.setStatus(carol.id, "deactivated");
  t.clock.advance(1000);
  const dave = await account("dave@example.com", { firstName: "Dave" });
  await t.deps.db.execute(
    `INSERT INTO two_factor_credentials (user_id, secret_ciphertext, key_id, enabled_at, created_at, updated_at)
     VALUES ($1, 'x', 'k', $2, $2, $2)`,
    [dave.id, t.clock.now()],
  );
  t.clock.advance(1000);
  const erin = await account("erin@example.com", { firstName: "Erin" });
  // A real lock: the lockout's own claims, as wrong passwords make them.
  for (let i = 0; i < t.deps.config.security.maxFailedLoginAttempts; i++) {
    await t.deps.lockouts.claim(erin.email);
  }
  t.clock.advance(1000);
  return { alice, bob, carol, dave, erin };
}

describe.each(availableDialects())("admin user list (%s)", (dialect) => {
  it("an admin sees every account with its state badges and the whole-table counts", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    await seedCast();
    const html = await page(admin, "/admin/users");
    expect(html).toMatch(/<a href="\/admin\/users" class="admin-nav__link" aria-current="page">/);
    expect(listedEmails(html)).toEqual([
      "erin@example.com",
      "dave@example.com",
      "carol@example.com",
      "bob@example.com",
      "alice@example.com",
      ADMIN,
    ]);
    expect(stat(html, "Total")).toBe(6);
    expect(stat(html, "Admins")).toBe(1);
    expect(stat(html, "Verified")).toBe(5);
    expect(stat(html, "With 2FA")).toBe(1);
    expect(stat(html, "Locked now")).toBe(1);
    expect(html).toContain("Figures for every account.");
    const row = (email: string) => {
      const start = html.indexOf(`<span class="user-cell__email">${email}</span>`);
      return html.slice(start, html.indexOf("</tr>", start));
    };
    expect(row("erin@example.com")).toContain("Locked");
    expect(row("dave@example.com")).toContain("2FA on");
    expect(row("carol@example.com")).toContain("Deactivated");
    expect(row("bob@example.com")).toContain("Unverified");
    expect(row("alice@example.com")).toContain('<span class="badge">Active</span>');
    expect(row(ADMIN)).toContain('<span class="badge badge--info">Admin</span>');
    // The admin signed in just now; the others never did.
    expect(row(ADMIN)).toContain("<time");
    expect(row("alice@example.com")).toContain("Never");
    // A lock that has run out is no lock.
    t.clock.advance(t.deps.config.security.accountLockoutMinutes * 60_000 + 1000);
    const later = await page(admin, "/admin/users?status=locked");
    expect(listedEmails(later)).toEqual([]);
    expect(stat(later, "Locked now")).toBe(0);
  });

  it("threat: discovery. A plain user and an anonymous visitor get 404 on the list and the export", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const user = t.newClient();
    expect((await login(user)).status).toBe(303);
    const anonymous = t.newClient();
    for (const path of ["/admin", "/admin/users", "/admin/users?q=a", "/admin/users/export.csv"]) {
      for (const client of [user, anonymous]) {
        const res = await client.get(path);
        expect(res.status, path).toBe(404);
        const body = await res.text();
        expect(body).not.toContain("user-cell");
        expect(body).not.toContain("alice@example.com,");
      }
    }
    expect(await t.deps.audit.list({ type: "users_exported" })).toEqual([]);
  });

  it("filters by role, status and 2FA, alone and together, and says how many match", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    await seedCast();
    const emails = async (query: string) =>
      listedEmails(await page(admin, `/admin/users?${query}`));
    expect(await emails("role=admin")).toEqual([ADMIN]);
    expect(await emails("role=user")).toHaveLength(5);
    expect(await emails("status=deactivated")).toEqual(["carol@example.com"]);
    expect(await emails("status=locked")).toEqual(["erin@example.com"]);
    expect(await emails("status=unverified")).toEqual(["bob@example.com"]);
    expect(await emails("status=active")).not.toContain("carol@example.com");
    expect(await emails("status=active")).toHaveLength(5);
    expect(await emails("2fa=on")).toEqual(["dave@example.com"]);
    expect(await emails("2fa=off")).toHaveLength(5);
    expect(await emails("2fa=off")).not.toContain("dave@example.com");
    expect(await emails("role=user&status=active&2fa=off")).toEqual([
      "erin@example.com",
      "bob@example.com",
      "alice@example.com",
    ]);
    const html = await page(admin, "/admin/users?status=unverified");
    expect(html).toContain("Figures for every account, whatever the filter.");
    expect(html).toContain("1 user matches");
    expect(stat(html, "Total")).toBe(6);
    // The form shows the filter it applied; Clear goes back to everything.
    expect(html).toMatch(/<option value="unverified" selected="">/);
    expect(html).toContain('href="/admin/users">Clear</a>');
  });

  it("sorts newest, oldest, by email both ways and by recent sign-in", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    const { alice, bob, carol } = await seedCast();
    await t.deps.users.recordLoginSuccess(bob.id, new Date(t.clock.now().getTime() + 10_000));
    await t.deps.users.recordLoginSuccess(alice.id, new Date(t.clock.now().getTime() + 5_000));
    await t.deps.users.recordLoginSuccess(carol.id, new Date(t.clock.now().getTime() - 60_000));
    const byEmail = [
      "alice@example.com",
      "bob@example.com",
      "carol@example.com",
      "dave@example.com",
      "erin@example.com",
      ADMIN,
    ];
    const emails = async (sort: string) =>
      listedEmails(await page(admin, `/admin/users?sort=${sort}`));
    expect(await emails("oldest")).toEqual([
      ADMIN,
      "alice@example.com",
      "bob@example.com",
      "carol@example.com",
      "dave@example.com",
      "erin@example.com",
    ]);
    expect(await emails("newest")).toEqual((await emails("oldest")).reverse());
    expect(await emails("email")).toEqual(byEmail);
    expect(await emails("email_desc")).toEqual([...byEmail].reverse());
    const recent = await emails("recent_sign_in");
    // Signed in most recently first; the admin signed in at seed time; never-signed-in last.
    expect(recent.slice(0, 4)).toEqual([
      "bob@example.com",
      "alice@example.com",
      ADMIN,
      "carol@example.com",
    ]);
    expect(recent.slice(4).sort()).toEqual(["dave@example.com", "erin@example.com"]);
  });

  it("threat: injection. Search treats % _ quotes and SQL as text, folds case and unicode, clamps length", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    await account("under_score@example.com", { firstName: "Percy", lastName: "100%" });
    await account("plain@example.com", { firstName: "Zoë", lastName: "O'Brien" });
    await account("quote@example.com", { firstName: 'Say "hi"', lastName: "Ünal" });
    const search = async (q: string) =>
      listedEmails(await page(admin, `/admin/users?q=${encodeURIComponent(q)}`));
    expect(await search("%")).toEqual(["under_score@example.com"]);
    expect(await search("_")).toEqual(["under_score@example.com"]);
    expect(await search("'")).toEqual(["plain@example.com"]);
    expect(await search('"')).toEqual(["quote@example.com"]);
    expect(await search("o'brien")).toEqual(["plain@example.com"]);
    expect(await search("ZOË")).toEqual(["plain@example.com"]);
    expect(await search("ünal")).toEqual(["quote@example.com"]);
    // Fullwidth letters fold to the plain form, as stored addresses do.
    expect(await search("ｐｌａｉｎ")).toEqual(["plain@example.com"]);
    expect(await search("PLAIN@EXAMPLE")).toEqual(["plain@example.com"]);
    expect(await search("zoë o'brien")).toEqual(["plain@example.com"]);
    for (const attack of [
      "' OR '1'='1",
      "'; DROP TABLE users; --",
      '") OR 1=1 --',
      "%' OR email LIKE '%",
      "\\",
      "$1",
      "a\u0000lice",
      "😀",
      "<script>alert(1)</script>",
    ]) {
      expect(await search(attack), attack).toEqual([]);
    }
    const html = await page(
      admin,
      `/admin/users?q=${encodeURIComponent("<script>alert(1)</script>")}`,
    );
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("No users matching");
    expect(html).toContain("Clear the filter");
    // Still all there.
    expect(listedEmails(await page(admin, "/admin/users"))).toHaveLength(4);
    // Control characters are no search at all.
    expect(await search("\u0000\u0007")).toHaveLength(4);
    const long = await page(admin, `/admin/users?q=${"a".repeat(1000)}`);
    expect(long).toContain("Searched for the first 100 characters.");
    expect(long).toContain(`value="${"a".repeat(100)}"`);
    expect(long).not.toContain("a".repeat(101));
  });

  it("threat: bad query values. Unknown, repeated and malformed parameters are ignored, never a 500", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    await seedCast();
    for (const query of [
      "role=superuser",
      "role=ADMIN",
      "sort=drop%20table",
      "sort=",
      "status=banned",
      "status[]=locked",
      "2fa=maybe",
      "role[]=admin",
      "q[]=alice",
      "after=",
      "page=-1",
      "role=%00",
    ]) {
      const html = await page(admin, `/admin/users?${query}`);
      expect(listedEmails(html), query).toHaveLength(6);
    }
    // Broken percent-encoding is searched for as the text it decodes to.
    for (const query of ["q=%ZZ", "q=%E0%A4%A", "q=%ED%A0%80", "q=%FF%FE"]) {
      expect(listedEmails(await page(admin, `/admin/users?${query}`)), query).toEqual([]);
    }
    // Repeated parameters: the first counts.
    expect(listedEmails(await page(admin, "/admin/users?role=admin&role=user"))).toEqual([ADMIN]);
    expect(listedEmails(await page(admin, "/admin/users?sort=email&sort=newest"))[0]).toBe(
      "alice@example.com",
    );
  });

  it("pages walk every row exactly once, ties on the sort key included, in every sort", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    // 130 rows, seven at a time sharing a created_at; a third never signed in (equal sort keys).
    await seedUsersSql(t.deps.db, {
      count: 130,
      prefix: "walk",
      base: new Date(t.clock.now().getTime() - 86_400_000),
      tie: 7,
      lockedUntil: new Date(t.clock.now().getTime() + 3_600_000),
    });
    const all = (await t.deps.db.query<{ id: string }>("SELECT id FROM users")).map((r) => r.id);
    expect(all).toHaveLength(131);
    for (const sort of ["newest", "oldest", "email", "email_desc", "recent_sign_in"]) {
      const seen: string[] = [];
      let path: string | undefined = `/admin/users?sort=${sort}`;
      let pages = 0;
      while (path !== undefined) {
        const html = await page(admin, path);
        seen.push(...listedIds(html));
        if (pages > 0) expect(html).toContain(">First page</a>");
        path = nextLink(html);
        pages++;
      }
      expect(pages, sort).toBe(3);
      expect(new Set(seen).size, sort).toBe(seen.length);
      expect([...seen].sort(), sort).toEqual([...all].sort());
    }
    // The filter travels with the cursor.
    const first = await page(admin, "/admin/users?2fa=off&sort=oldest");
    expect(nextLink(first)).toMatch(/^\/admin\/users\?2fa=off&sort=oldest&after=/);
    const second = await page(admin, nextLink(first) as string);
    // 131 rows, 13 with 2FA: pages of 50, 50 and 18.
    expect(listedIds(second)).toHaveLength(50);
    const third = await page(admin, nextLink(second) as string);
    expect(listedIds(third)).toHaveLength(18);
    expect(nextLink(third)).toBeUndefined();
    expect(second).toContain('href="/admin/users?2fa=off&amp;sort=oldest">First page</a>');
  });

  it("threat: tampered cursors show the first page, never an error", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    await seedUsersSql(t.deps.db, {
      count: 60,
      prefix: "cur",
      base: new Date(t.clock.now().getTime() - 86_400_000),
      lockedUntil: new Date(t.clock.now().getTime() + 3_600_000),
    });
    const firstPage = listedIds(await page(admin, "/admin/users"));
    expect(firstPage).toHaveLength(50);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const after of [
      "garbage",
      "%%%",
      "a".repeat(5000),
      b64("just a string"),
      b64(null),
      b64([1, 2]),
      b64({ s: "newest", k: 1, i: "x" }),
      b64({ s: "newest", k: "2026-02-31 00:00:00+00", i: "cur-0000001" }),
      b64({ s: "newest", k: "2026-01-14 99:00:00+00", i: "x" }),
      b64({ s: "newest", k: "'; DROP TABLE users; --", i: "x" }),
      b64({ s: "newest", k: "2026-01-14 12:00:00+00", i: "" }),
      b64({ s: "newest", k: "2026-01-14 12:00:00+00", i: "\u0000" }),
      b64({ s: "email", k: "a", i: "x" }),
      encodeCursor("oldest", { key: "2026-01-14 12:00:00+00", id: "x" }),
    ]) {
      const res = await admin.get(`/admin/users?after=${encodeURIComponent(after)}`);
      expect(res.status, after.slice(0, 40)).toBe(200);
      expect(listedIds(await res.text()), after.slice(0, 40)).toEqual(firstPage);
    }
    // A well-formed cursor past the end: an honest empty page with a way back.
    const end = encodeCursor("newest", { key: "1971-01-01 00:00:00+00", id: "a" });
    const html = await page(admin, `/admin/users?after=${end}`);
    expect(listedIds(html)).toEqual([]);
    expect(html).toContain("No more users.");
    expect(html).toContain('href="/admin/users">First page</a>');
    // An SQL-looking key for the text sort is only ever a bound value.
    const injected = encodeCursor("email", { key: "' OR 1=1 --", id: "x" });
    expect((await admin.get(`/admin/users?sort=email&after=${injected}`)).status).toBe(200);
  });

  it("exports every matching row as safe CSV, streamed past one batch, and audits it", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    await account("csv@example.com", {
      firstName: '=HYPERLINK("http://evil.example","click")',
      lastName: "Smith, Jr.",
    });
    await account("plus@example.com", { firstName: "+1 555", lastName: "-minus" });
    await account("at@example.com", { firstName: "@SUM(A1)" });
    // The repository trims names; a row written another way (an import, SQL) may not be.
    await t.deps.db.execute("UPDATE users SET last_name = $1 WHERE email = $2", [
      "\tTab",
      "at@example.com",
    ]);
    await seedUsersSql(t.deps.db, {
      count: 1200,
      prefix: "bulk",
      base: new Date(t.clock.now().getTime() - 86_400_000),
      lockedUntil: new Date(t.clock.now().getTime() + 3_600_000),
    });
    const res = await admin.get("/admin/users/export.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toBe(
      'attachment; filename="users-2026-01-15.csv"',
    );
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    expect(text.startsWith("\uFEFF")).toBe(true);
    const lines = text.slice(1).split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines[0]).toBe(
      '"id","email","first_name","last_name","role","status","email_verified_at","two_factor","locked_until","created_at","last_sign_in_at"',
    );
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(1204);
    const emails = body.map((line) => line.split('","')[1]);
    expect(new Set(emails).size).toBe(1204);
    const line = (email: string) => body.find((l) => l.includes(`"${email}"`)) ?? "";
    expect(line("csv@example.com")).toContain(
      `"'=HYPERLINK(""http://evil.example"",""click"")","Smith, Jr."`,
    );
    expect(line("plus@example.com")).toContain(`"'+1 555","'-minus"`);
    expect(line("at@example.com")).toContain(`"'@SUM(A1)","'\tTab"`);
    expect(line("bulk0000500@example.com")).toMatch(/"on","20\d\d-[^"]+Z"/);
    const [event] = await t.deps.audit.list({ type: "users_exported" });
    expect(event).toMatchObject({
      outcome: "success",
      details: { rows: 1204, filter: { search: "", role: null, sort: "newest" } },
    });
    // The same filters as the page.
    const filtered = await admin.get("/admin/users/export.csv?status=locked&sort=email");
    const locked = (await filtered.text()).split("\r\n").slice(1, -1);
    expect(locked).toHaveLength(expectedCounts(1200).locked);
    expect(locked[0]).toContain('"bulk0000500@example.com"');
    const events = await t.deps.audit.list({ type: "users_exported" });
    expect(events.map((e) => e.details.rows).sort()).toEqual([1204, 2]);
    expect(events.some((e) => JSON.stringify(e.details.filter).includes('"locked"'))).toBe(true);
    // The page's export link carries the filter.
    const html = await page(admin, "/admin/users?role=admin&q=root");
    expect(html).toContain('href="/admin/users/export.csv?q=root&amp;role=admin"');
  });

  it("the stored lockout key follows an email change, and start-up fills missing or stale keys", async () => {
    t = await createTestApp({ dialect });
    const admin = await signedInAdmin();
    const alice = await account("alice@example.com");
    const bob = await account("bob@example.com");
    const keyOf = t.deps.lockouts.accountKey;
    const stored = async (id: string) =>
      (
        await t.deps.db.one<{ k: string | null }>(
          "SELECT lockout_key AS k FROM users WHERE id = $1",
          [id],
        )
      )?.k;
    expect(await stored(alice.id)).toBe(keyOf("alice@example.com"));
    await t.deps.users.changeEmail(alice.id, "Alice.New@Example.com");
    expect(await stored(alice.id)).toBe(keyOf("alice.new@example.com"));
    for (let i = 0; i < t.deps.config.security.maxFailedLoginAttempts; i++) {
      await t.deps.lockouts.claim("alice.new@example.com");
    }
    expect(listedEmails(await page(admin, "/admin/users?status=locked"))).toEqual([
      "Alice.New@Example.com",
    ]);
    // Rows from before 0011 (NULL) and keys made under another SECRET_KEY are both refilled.
    const { backfillLockoutKeys } = await import("../../src/users/lockout-keys.js");
    await t.deps.db.execute("UPDATE users SET lockout_key = NULL WHERE id = $1", [bob.id]);
    expect(await backfillLockoutKeys(t.deps.db, keyOf)).toEqual({ cleared: false, filled: 1 });
    expect(await stored(bob.id)).toBe(keyOf("bob@example.com"));
    expect(await backfillLockoutKeys(t.deps.db, keyOf)).toEqual({ cleared: false, filled: 0 });
    await t.deps.db.execute("UPDATE users SET lockout_key = 'made-under-an-old-secret'");
    expect(await backfillLockoutKeys(t.deps.db, keyOf)).toEqual({ cleared: true, filled: 3 });
    expect(await stored(alice.id)).toBe(keyOf("alice.new@example.com"));
    expect(listedEmails(await page(admin, "/admin/users?status=locked"))).toHaveLength(1);
  });
});
