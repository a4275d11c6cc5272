import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe.each(availableDialects())("admin shell (%s)", (dialect) => {
  it("an admin's /admin is an overview linking every section, with the section tabs", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "root@example.com", role: "admin" });
    expect((await login(t.client, { email: "root@example.com" })).status).toBe(303);
    const res = await t.client.get("/admin");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('aria-label="Admin sections"');
    expect(html).toMatch(/<a href="\/admin" class="admin-nav__link" aria-current="page">/);
    expect(html).toContain('href="/admin/users"');
    expect(html).toContain("export the list as CSV");
  });

  it("threat: discovery. A plain user and an anonymous visitor get 404 on /admin", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    expect((await t.newClient().get("/admin")).status).toBe(404);
    expect((await login(t.client)).status).toBe(303);
    const res = await t.client.get("/admin");
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("Admin sections");
  });
});
