import { afterEach, describe, expect, it } from "vitest";
import { signInAdmin, signInUser } from "../../test/flows/admin-user-fixture.js";
import { seedUser } from "../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe.each(availableDialects())("access_denied (%s)", (dialect) => {
  it("a signed-in user without the permission gets the 404, recorded with path and permission", async () => {
    t = await createTestApp({ dialect });
    const nosy = await seedUser(t, { email: "nosy@example.com" });
    const client = await signInUser(t, "nosy@example.com");
    for (const path of ["/admin", "/admin/users", "/admin/users/export.csv", "/admin/audit"]) {
      const res = await client.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain("We could not find that page.");
    }
    const events = await t.deps.audit.list({ type: "access_denied" });
    expect(events).toHaveLength(4);
    expect(events.map((e) => e.details.path).sort()).toEqual([
      "/admin",
      "/admin/audit",
      "/admin/users",
      "/admin/users/export.csv",
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        outcome: "denied",
        actorId: nosy.id,
        targetId: nosy.id,
        details: { method: "GET", permission: "admin.access" },
      });
    }
  });

  it("odd paths are recorded as text, clipped; the answer stays a 404", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "nosy@example.com" });
    const client = await signInUser(t, "nosy@example.com");
    const odd = `/admin/users/${"x".repeat(3000)}?q=' OR '1'='1`;
    expect((await client.get(odd)).status).toBe(404);
    expect((await client.get("/admin/users/%F0%9F%94%91%27%3B--")).status).toBe(404);
    // A path no route has is the app's plain 404, before any guard: nothing to record.
    expect((await client.get("/admin/no-such-page")).status).toBe(404);
    const events = await t.deps.audit.list({ type: "access_denied" });
    expect(events).toHaveLength(2);
    const paths = events.map((e) => String(e.details.path));
    expect(paths.every((p) => p.length <= 513)).toBe(true);
    expect(paths.some((p) => p.includes("?"))).toBe(false);
  });

  it("anonymous visitors and admins are not recorded", async () => {
    t = await createTestApp({ dialect });
    for (const path of ["/admin", "/admin/users", "/admin/audit/events"]) {
      expect((await t.newClient().get(path)).status, path).toBe(404);
    }
    const { client } = await signInAdmin(t);
    expect((await client.get("/admin/users")).status).toBe(200);
    expect(await t.deps.audit.list({ type: "access_denied" })).toEqual([]);
  });
});
