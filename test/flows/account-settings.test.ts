import { afterEach, describe, expect, it } from "vitest";
import { insertIdentity, NO_TOKENS } from "../../src/auth/oauth/identities.js";
import { csrfFrom, ORIGIN } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";
import { enrol } from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

/** The text of the element with `id` (the settings page marks each state it reports). */
function stateOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}">([\\s\\S]*?)</span>\\s*</dd>`).exec(html);
  if (!match?.[1]) throw new Error(`no #${id} on the page`);
  return match[1].replace(/<[^>]+>/g, "").trim();
}

async function settings(client: TestClient = t.client): Promise<string> {
  const res = await client.get("/account/settings");
  expect(res.status).toBe(200);
  return res.text();
}

/** Every same-site link of a page (`<a href>`), without its #fragment. */
function linksOf(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)]
    .map((m) => (m[1] as string).replaceAll("&amp;", "&").split("#")[0] as string)
    .filter((href) => href.startsWith("/") && !href.startsWith("//"));
}

/** Follows redirects as a browser would (at most 5) and returns the last answer. */
async function follow(client: TestClient, path: string): Promise<{ status: number; path: string }> {
  let at = path;
  for (let hop = 0; hop < 5; hop++) {
    const res = await client.get(at);
    await res.arrayBuffer();
    const location = res.headers.get("Location");
    if (res.status < 300 || res.status >= 400 || !location) return { status: res.status, path: at };
    at = location;
  }
  throw new Error(`redirect loop from ${path}`);
}

/**
 * Fetches every link on the pages (as the signed-in client) and returns the
 * ones that end anywhere but a page (404, 500...), as "href -> status".
 */
async function brokenLinks(client: TestClient, pages: readonly string[]): Promise<string[]> {
  const hrefs = new Set<string>();
  for (const page of pages) {
    const res = await client.get(page);
    expect(res.status, page).toBe(200);
    for (const href of linksOf(await res.text())) hrefs.add(href);
  }
  const broken: string[] = [];
  for (const href of hrefs) {
    const end = await follow(client, href);
    if (end.status !== 200) broken.push(`${href} -> ${end.status} at ${end.path}`);
  }
  expect(hrefs.size).toBeGreaterThan(10);
  return broken;
}

describe.each(availableDialects())("account settings (%s)", (dialect) => {
  it("gathers profile, security, sessions, theme and the danger zone for the signed-in user", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { firstName: "Alice", lastName: "Liddell" });
    await login(t.client);
    await login(t.newClient());
    const html = await settings();
    expect(html).toContain("Alice Liddell");
    expect(html).toContain("alice@example.com");
    expect(stateOf(html, "settings-password")).toBe("Set");
    expect(stateOf(html, "settings-two-factor")).toBe("Off");
    expect(stateOf(html, "settings-providers")).toBe("None");
    expect(stateOf(html, "settings-sessions")).toBe("2 devices");
    for (const href of [
      "/account",
      "/account/email",
      "/account/password",
      "/account/sessions",
      "/account/security#two-factor",
      "/account/delete",
    ]) {
      expect(html).toContain(`href="${href}"`);
    }
    // The header's Account link leads here, marked current on every account page.
    expect(html).toMatch(/<a href="\/account\/settings" class="nav__link" aria-current="page">/);
    const sessions = await (await t.client.get("/account/sessions")).text();
    expect(sessions).toMatch(
      /<a href="\/account\/settings" class="nav__link" aria-current="page">/,
    );
    // And the profile page points here too.
    expect(await (await t.client.get("/account")).text()).toContain("All settings");
  });

  it("shows 2FA as on once it is set up, and counts linked providers", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await enrol(t);
    await insertIdentity(t.deps.db, {
      id: t.deps.random.uuid(),
      userId: user.id,
      provider: "github",
      subject: "gh-1",
      email: user.email,
      emailVerified: true,
      now: t.clock.now(),
      tokens: NO_TOKENS,
    });
    const html = await settings();
    expect(stateOf(html, "settings-two-factor")).toBe("On");
    expect(stateOf(html, "settings-providers")).toBe("1 provider");
    expect(stateOf(html, "settings-sessions")).toBe("1 device");
  });

  it("an account without a password is told so and offered the way to set one", async () => {
    t = await createTestApp({ dialect });
    const created = await t.deps.users.create({
      email: "oauth-only@example.com",
      firstName: "Olga",
      lastName: "",
      passwordHash: null,
      emailVerifiedAt: t.clock.now(),
    });
    if (!created.ok) throw new Error(created.reason);
    // Signed in as an OAuth sign-in would leave it: a session and its cookie.
    const { token } = await t.deps.sessions.create({ userId: created.user.id });
    t.client.cookies.set("session", token);
    const html = await settings();
    expect(stateOf(html, "settings-password")).toBe("Not set: you sign in through a provider");
    expect(html).toContain('href="/auth/forgot-password"');
    expect(html).not.toContain('href="/account/password"');
  });

  it("switches the theme with a plain form (no script) and comes back to the page", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const html = await settings();
    expect(html).toMatch(/<form class="form" method="post" action="\/account\/theme">/);
    expect(html).toMatch(/name="theme" value="dark"[^>]*aria-pressed="false"/);
    expect(html).toMatch(/name="theme" value="system"[^>]*aria-pressed="true"/);
    const res = await t.client.post(
      "/account/theme",
      { _csrf: csrfFrom(html), theme: "dark" },
      { Origin: ORIGIN, Referer: `${ORIGIN}/account/settings` },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/settings");
    const after = await settings();
    expect(after).toContain('data-theme="dark"');
    expect(after).toMatch(/name="theme" value="dark"[^>]*aria-pressed="true"/);
  });

  it("needs a signed-in user", async () => {
    t = await createTestApp({ dialect });
    const res = await t.client.get("/account/settings");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/login?next=%2Faccount%2Fsettings");
  });

  it("every link on the dashboard, /account and the settings page leads to a real page", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    expect(await brokenLinks(t.client, ["/dashboard", "/account", "/account/settings"])).toEqual(
      [],
    );
    // The walk can fail: a path that leads nowhere ends at a 404.
    expect((await follow(t.client, "/account/nowhere")).status).toBe(404);
  });

  it("the same for an admin, whose navigation also shows the Admin section", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "root@example.com", role: "admin" });
    await login(t.client, { email: "root@example.com" });
    const dashboard = await (await t.client.get("/dashboard")).text();
    expect(dashboard).toContain('href="/admin"');
    expect(await brokenLinks(t.client, ["/dashboard", "/account", "/account/settings"])).toEqual(
      [],
    );
  });
});
