import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createCookies } from "../security/cookies.js";
import { FLASH_MESSAGES, flashMiddleware, setFlash } from "./flash.js";

const cookies = createCookies({ isProduction: false, appUrl: "http://localhost:8000" });

function app() {
  const a = new Hono();
  a.use(flashMiddleware(cookies));
  a.post("/done", (c) => {
    setFlash(c, cookies, "profile_saved");
    return c.redirect("/page", 303);
  });
  a.get("/page", (c) => c.json({ flash: c.get("flash") ?? null }));
  return a;
}

const cookieHeader = (res: Response) => res.headers.getSetCookie()[0]?.split(";")[0] ?? "";

describe("flash messages", () => {
  it("carries a code across a redirect, shows its text once, and clears the cookie", async () => {
    const a = app();
    const done = await a.request("/done", { method: "POST" });
    const set = done.headers.getSetCookie()[0] ?? "";
    expect(set).toMatch(/^flash=profile_saved;/);
    expect(set).toMatch(/Max-Age=60/);
    expect(set).toMatch(/HttpOnly/);
    const page = await a.request("/page", { headers: { Cookie: cookieHeader(done) } });
    expect(await page.json()).toEqual({ flash: FLASH_MESSAGES.profile_saved });
    expect(page.headers.getSetCookie()[0]).toMatch(/^flash=;.*Max-Age=0/);
  });

  it("threat: a planted cookie cannot put its own words on the page", async () => {
    const res = await app().request("/page", {
      headers: { Cookie: "flash=<script>alert(1)</script>" },
    });
    expect(await res.json()).toEqual({ flash: null });
    const proto = await app().request("/page", { headers: { Cookie: "flash=__proto__" } });
    expect(await proto.json()).toEqual({ flash: null });
  });

  it("is not used up by htmx requests or non-HTML fetches", async () => {
    const variants: Record<string, string>[] = [
      { "HX-Request": "true" },
      { Accept: "application/json" },
    ];
    for (const headers of variants) {
      const res = await app().request("/page", {
        headers: { ...headers, Cookie: "flash=profile_saved" },
      });
      expect(await res.json()).toEqual({ flash: null });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });
});
