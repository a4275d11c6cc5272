import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { mountAll, withGuards } from "./route-group.js";
import { markRoute, routeTable } from "./route-meta.js";

/**
 * Threat: a guard mounted with `use()` in a group spreads by path prefix, onto
 * public neighbours (a mailed link under /account) or, mounted later, misses
 * routes registered before it. withGuards puts the guard on exactly the
 * group's routes.
 */
const deny = markRoute(async (c) => c.text("denied", 401), { guard: "user" });

function app() {
  const open = new Hono();
  open.get("/email/confirm", (c) => c.text("open"));
  const closed = new Hono();
  closed.get("/", (c) => c.text("closed"));
  closed.post("/email", (c) => c.text("closed"));
  const group = new Hono();
  group.route("/", withGuards([deny], closed));
  group.route("/", open);
  return new Hono().route("/account", group);
}

describe("withGuards", () => {
  it("guards the group's routes and nothing else under the prefix", async () => {
    const a = app();
    expect((await a.request("/account")).status).toBe(401);
    expect((await a.request("/account/email", { method: "POST" })).status).toBe(401);
    // Registered after the group, same prefix: untouched.
    expect(await (await a.request("/account/email/confirm")).text()).toBe("open");
    // An unknown path stays a 404 rather than a guard's answer.
    expect((await a.request("/account/nope")).status).toBe(404);
  });

  it("the route table sees the guard on each guarded route only", () => {
    const rows = routeTable(app(), { csrfExemptPaths: [] });
    expect(rows.map((r) => `${r.method} ${r.path} ${r.guards.join(",")}`)).toEqual([
      "GET /account user",
      "POST /account/email user",
      "GET /account/email/confirm ",
    ]);
  });
});

describe("mountAll", () => {
  it("mounts each group at / or at its own path; the first to register a path answers", async () => {
    const first = new Hono().get("/a", (c) => c.text("first"));
    const second = new Hono().get("/a", (c) => c.text("second")).get("/b", (c) => c.text("b"));
    const a = mountAll([first, ["/sub", second], second]);
    expect(await (await a.request("/a")).text()).toBe("first");
    expect(await (await a.request("/b")).text()).toBe("b");
    expect(await (await a.request("/sub/a")).text()).toBe("second");
  });
});
