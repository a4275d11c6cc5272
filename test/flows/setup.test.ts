import { afterEach, describe, expect, it } from "vitest";
import { offerSetup } from "../../src/setup/announce.js";
import { SETUP_TOKEN_TTL_MS } from "../../src/setup/gate.js";
import { csrfFrom, ORIGIN, postWith } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const ADMIN = {
  email: "root@example.com",
  first_name: "Ada",
  last_name: "Lovelace",
  password: PASSWORD,
};
const TOKEN_LINK = /^http:\/\/localhost:8000\/setup\?token=([A-Za-z0-9_-]{43})$/;

/** The start-up step main.ts runs, then the link as the operator reads it in the log. */
async function start(app: TestApp): Promise<string> {
  await offerSetup(app.deps);
  const lines = setupLines(app);
  expect(lines).toHaveLength(1);
  const url = String(lines[0]?.setupUrl);
  expect(lines[0]?.msg).toContain(url);
  const token = TOKEN_LINK.exec(url)?.[1];
  if (!token) throw new Error(`no setup link in the log: ${url}`);
  return token;
}

function setupLines(app: TestApp) {
  return app.logs.filter((line) => "setupUrl" in line || String(line.msg).includes("/setup?"));
}

/** Opens the page with the token (as the browser following the logged link) and submits it. */
async function submit(
  token: string,
  fields: Record<string, string> = ADMIN,
  client: TestClient = t.client,
): Promise<Response> {
  const page = await client.get(`/setup?token=${token}`);
  expect(page.status).toBe(200);
  const csrf = csrfFrom(await page.text());
  return client.post("/setup", { _csrf: csrf, token, ...fields }, { Origin: ORIGIN });
}

async function admins(): Promise<Array<{ email: string; role: string; verified: boolean }>> {
  const rows = await t.deps.db.query<{ email: string; role: string; verified: boolean }>(
    "SELECT email, role, email_verified_at IS NOT NULL AS verified FROM users WHERE role = 'admin' ORDER BY email",
  );
  return rows.map((r) => ({ ...r, verified: Boolean(r.verified) }));
}

/** A token of the right shape that was never issued. */
const WRONG = "A".repeat(43);

describe.each(availableDialects())("first-run setup (%s)", (dialect) => {
  it("logs one line with a one-time link at start; the page creates a verified admin, signed in", async () => {
    t = await createTestApp({ dialect });
    const token = await start(t);
    // One warn line: seen at the default LOG_LEVEL and above info in production.
    expect(setupLines(t)[0]).toMatchObject({ level: 40 });

    const page = await t.client.get(`/setup?token=${token}`);
    expect(page.status).toBe(200);
    // The token is in the URL: the page is not cached, and other sites get no path as Referer.
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    expect(page.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    const html = await page.text();
    for (const name of ["email", "password", "first_name", "last_name", "_csrf", "token"]) {
      expect(html).toContain(`name="${name}"`);
    }
    expect(html).toContain('hx-post="/auth/password-strength"');
    expect(html).toContain("works once, for 60 more minutes");
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);

    const res = await t.client.post(
      "/setup",
      { _csrf: csrfFrom(html), token, ...ADMIN },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/admin/users");
    expect(await admins()).toEqual([{ email: ADMIN.email, role: "admin", verified: true }]);
    // Signed in on this browser, and the Admin section (404 to anyone else) opens.
    const [admin] = await admins();
    const id = (await t.deps.users.findByEmail(admin?.email ?? ""))?.id;
    expect((await t.client.get("/admin")).status).toBe(200);
    expect((await t.client.get(`/admin/users/${id}`)).status).toBe(200);
    expect((await t.newClient().get("/admin")).status).toBe(404);
    const [created] = await t.deps.audit.list({ type: "user_created" });
    expect(created).toMatchObject({ outcome: "success", details: { via: "setup" } });
    const [signedIn] = await t.deps.audit.list({ type: "login_succeeded" });
    expect(signedIn).toMatchObject({ details: { method: "setup" } });

    // The password works on the sign-in page of another browser.
    const other = t.newClient();
    const signIn = await login(other, { email: ADMIN.email });
    expect(signIn.status).toBe(303);
    expect((await other.get("/admin")).status).toBe(200);

    // Spent: the same link (GET, POST replay), no link, another browser: all 404.
    expect((await t.client.get(`/setup?token=${token}`)).status).toBe(404);
    expect((await t.client.get("/setup")).status).toBe(404);
    // A replay from another browser (someone else who read the log), with a valid CSRF token.
    const thief = t.newClient();
    const thiefCsrf = csrfFrom(await (await thief.get("/auth/login")).text());
    const replay = await postWith(thief, thiefCsrf, "/setup", {
      token,
      ...ADMIN,
      email: "second@example.com",
    });
    expect(replay.status).toBe(404);
    expect((await t.newClient().get(`/setup?token=${token}`)).status).toBe(404);
    expect(await admins()).toHaveLength(1);
  });

  it.each([
    ["missing", "/setup"],
    ["empty", "/setup?token="],
    ["wrong (right shape, never issued)", `/setup?token=${WRONG}`],
    ["too long", `/setup?token=${"A".repeat(10_000)}`],
    ["unicode", `/setup?token=${encodeURIComponent("ä".repeat(43))}`],
    ["an injection string", `/setup?token=${encodeURIComponent("' OR 1=1 --")}`],
    ["the token with a suffix", "SUFFIX"],
    ["repeated", "REPEATED"],
  ])("threat: guessing. A %s token gets the plain 404, on GET and POST", async (_what, path) => {
    t = await createTestApp({ dialect });
    const token = await start(t);
    const url =
      path === "SUFFIX"
        ? `/setup?token=${token}x`
        : path === "REPEATED"
          ? `/setup?token=${WRONG}&token=${token}`
          : path;
    const res = await t.client.get(url);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("We could not find that page.");

    const tokenValue = new URL(url, ORIGIN).searchParams.get("token");
    const csrf = csrfFrom(await (await t.client.get("/auth/login")).text());
    const fields: Record<string, string> = { ...ADMIN };
    if (tokenValue !== null) fields.token = tokenValue;
    expect((await postWith(t.client, csrf, "/setup", fields)).status).toBe(404);
    expect(await admins()).toEqual([]);
    // The real link still works afterwards.
    expect((await t.client.get(`/setup?token=${token}`)).status).toBe(200);
  });

  it("a repeated token field in the form body is refused, never resolved to one copy", async () => {
    t = await createTestApp({ dialect });
    const token = await start(t);
    const csrf = csrfFrom(await (await t.client.get(`/setup?token=${token}`)).text());
    const body = new URLSearchParams({ _csrf: csrf, ...ADMIN });
    body.append("token", token);
    body.append("token", token);
    const res = await t.client.request("/setup", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: body.toString(),
    });
    expect(res.status).toBe(404);
    expect(await admins()).toEqual([]);
  });

  it("threat: a stale link. The token stops working after one hour (fixed clock)", async () => {
    t = await createTestApp({ dialect });
    const token = await start(t);
    t.clock.advance(SETUP_TOKEN_TTL_MS - 60_000);
    const page = await t.client.get(`/setup?token=${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("works once, for 1 more minute.");
    t.clock.advance(60_000);
    expect((await t.client.get(`/setup?token=${token}`)).status).toBe(404);
    const res = await postWith(t.client, csrfFrom(html), "/setup", { token, ...ADMIN });
    expect(res.status).toBe(404);
    expect(await admins()).toEqual([]);
  });

  it("threat: a race. Parallel submissions with one token create exactly one admin", async () => {
    t = await createTestApp({ dialect });
    const token = await start(t);
    const csrf = csrfFrom(await (await t.client.get(`/setup?token=${token}`)).text());
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        postWith(t.client, csrf, "/setup", { token, ...ADMIN, email: `racer${i}@example.com` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([303, 404, 404, 404, 404, 404]);
    expect(await admins()).toHaveLength(1);
    const users = await t.deps.db.one<{ n: number }>("SELECT count(*) AS n FROM users");
    expect(Number(users?.n)).toBe(1);
  });

  it("a weak password shows the form again with the policy's message; the link still works", async () => {
    t = await createTestApp({ dialect });
    const token = await start(t);
    const weak = await submit(token, { ...ADMIN, password: "password123" });
    expect(weak.status).toBe(422);
    const html = await weak.text();
    expect(html).toContain('aria-invalid="true"');
    expect(html).toMatch(/common|characters/i);
    // What was typed comes back, except the password; the token rides along.
    expect(html).toContain(`value="${ADMIN.email}"`);
    expect(html).toContain(`name="token" value="${token}"`);
    expect(html).not.toContain("password123");
    expect(await admins()).toEqual([]);

    const ok = await postWith(t.client, csrfFrom(html), "/setup", { token, ...ADMIN });
    expect(ok.status).toBe(303);
    expect(await admins()).toHaveLength(1);
  });

  it.each([
    ["missing fields", {}, ["first_name", "email", "password"]],
    ["an invalid email", { ...ADMIN, email: "not-an-email" }, ["email"]],
    ["a header-injection email", { ...ADMIN, email: "a@b.c\r\nBcc: x@y.z" }, ["email"]],
    ["a too long name", { ...ADMIN, first_name: "x".repeat(101) }, ["first_name"]],
    ["a markup name", { ...ADMIN, first_name: "<script>alert(1)</script>" }, []],
  ])(
    "bad fields (%s) get the form again with messages, never a 500",
    async (_what, fields, invalid) => {
      t = await createTestApp({ dialect });
      const token = await start(t);
      const res = await submit(token, fields);
      const html = await res.text();
      if (invalid.length === 0) {
        // Accepted as a name, but shown escaped wherever it appears.
        expect(res.status).toBe(303);
        expect(html).not.toContain("<script>alert(1)</script>");
        return;
      }
      expect(res.status).toBe(422);
      for (const name of invalid) {
        expect(html).toMatch(new RegExp(`id="field-${name}"[^>]*aria-invalid="true"`));
      }
      expect(await admins()).toEqual([]);
    },
  );

  it("an address already registered is refused under the email field; the link still works", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "alice@example.com" });
    const token = await start(t);
    const taken = await submit(token, { ...ADMIN, email: "ALICE@example.com" });
    expect(taken.status).toBe(422);
    const html = await taken.text();
    expect(html).toContain("exists already");
    expect(html).toMatch(/id="field-email"[^>]*aria-invalid="true"/);
    const ok = await postWith(t.client, csrfFrom(html), "/setup", { token, ...ADMIN });
    expect(ok.status).toBe(303);
    expect(await admins()).toEqual([{ email: ADMIN.email, role: "admin", verified: true }]);
  });

  it("an admin made meanwhile (CLI, repository) wins: the open form's submission creates nothing", async () => {
    t = await createTestApp({ dialect });
    const token = await start(t);
    const page = await t.client.get(`/setup?token=${token}`);
    const csrf = csrfFrom(await page.text());
    await seedUser(t, { email: "cli-admin@example.com", role: "admin" });
    const res = await postWith(t.client, csrf, "/setup", { token, ...ADMIN });
    expect(res.status).toBe(404);
    expect((await t.client.get(`/setup?token=${token}`)).status).toBe(404);
    expect(await admins()).toEqual([
      { email: "cli-admin@example.com", role: "admin", verified: true },
    ]);
  });

  it("a user promoted to admin closes /setup too", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t, { email: "promoted@example.com" });
    const token = await start(t);
    expect((await t.client.get(`/setup?token=${token}`)).status).toBe(200);
    await t.deps.users.setRole(user.id, "admin");
    expect((await t.client.get(`/setup?token=${token}`)).status).toBe(404);
  });

  it("with an active admin at start: no token, no log line, /setup is 404 with or without one", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "boss@example.com", role: "admin" });
    expect(await offerSetup(t.deps)).toBeUndefined();
    expect(setupLines(t)).toEqual([]);
    expect(t.logs.map((l) => JSON.stringify(l)).join("\n")).not.toContain("token=");
    expect((await t.client.get("/setup")).status).toBe(404);
    expect((await t.client.get(`/setup?token=${WRONG}`)).status).toBe(404);
    const csrf = csrfFrom(await (await t.client.get("/auth/login")).text());
    expect((await postWith(t.client, csrf, "/setup", { token: WRONG, ...ADMIN })).status).toBe(404);
  });

  it("a deactivated admin is no operator: the link is offered", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "gone@example.com", role: "admin", status: "deactivated" });
    const token = await start(t);
    expect((await t.client.get(`/setup?token=${token}`)).status).toBe(200);
  });

  it("production: the link is logged too, and nothing creates an account by itself", async () => {
    t = await createTestApp({
      dialect,
      env: {
        NODE_ENV: "production",
        APP_URL: "https://app.example.com",
        SECRET_KEY: "setup-flow-production-secret-key-0123456789",
      },
    });
    await offerSetup(t.deps);
    const [line] = setupLines(t);
    expect(String(line?.setupUrl)).toMatch(/^https:\/\/app\.example\.com\/setup\?token=[\w-]{43}$/);
    const users = await t.deps.db.one<{ n: number }>("SELECT count(*) AS n FROM users");
    expect(Number(users?.n)).toBe(0);
  });

  it("POST needs the CSRF token, and is rate limited by its declared policy", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: "setup=2/15m" } });
    const token = await start(t);
    const noCsrf = await t.client.post("/setup", { token, ...ADMIN }, { Origin: ORIGIN });
    expect(noCsrf.status).toBe(403);
    const weak = { ...ADMIN, password: "short" };
    expect((await submit(token, weak)).status).toBe(422);
    expect((await submit(token, weak)).status).toBe(422);
    const limited = await submit(token, weak);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBeTruthy();
    expect(await admins()).toEqual([]);
  });
});
