import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { describe, expect, it } from "vitest";
import { createCookies } from "./cookies.js";

const production = { isProduction: true, appUrl: "https://app.example" };
const development = { isProduction: false, appUrl: "http://localhost:8000" };

/** A tiny app that sets, reads or clears one cookie through the helper. */
function appWith(config: { isProduction: boolean; appUrl: string }) {
  const cookies = createCookies(config);
  const app = new Hono();
  app.get("/set", (c) => {
    cookies.set(c, "sid", "abc", { maxAgeSeconds: 600 });
    return c.text("ok");
  });
  app.get("/set-script-readable", (c) => {
    cookies.set(c, "pref", "x", { httpOnly: false });
    return c.text("ok");
  });
  app.get("/get", (c) => c.text(cookies.get(c, "sid") ?? "(none)"));
  app.get("/clear", (c) => {
    cookies.clear(c, "sid");
    return c.text("ok");
  });
  return { app, cookies };
}

describe("createCookies in production (https)", () => {
  const { app, cookies } = appWith(production);

  it("names every cookie with the __Host- prefix", () => {
    expect(cookies.secure).toBe(true);
    expect(cookies.name("csrf")).toBe("__Host-csrf");
  });

  it("sets Secure, HttpOnly, SameSite=Lax, Path=/ and never Domain", async () => {
    const res = await app.request("/set");
    const line = res.headers.get("Set-Cookie") ?? "";
    expect(line).toBe("__Host-sid=abc; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax");
    expect(line).not.toMatch(/domain=/i);
  });

  it("drops HttpOnly only when asked, keeping everything else", async () => {
    const line = (await app.request("/set-script-readable")).headers.get("Set-Cookie") ?? "";
    expect(line).toBe("__Host-pref=x; Path=/; Secure; SameSite=Lax");
  });

  it("reads only the prefixed cookie (cookie tossing: an unprefixed one from a subdomain is ignored)", async () => {
    const tossed = await app.request("/get", { headers: { Cookie: "sid=attacker" } });
    expect(await tossed.text()).toBe("(none)");
    const both = await app.request("/get", {
      headers: { Cookie: "sid=attacker; __Host-sid=real" },
    });
    expect(await both.text()).toBe("real");
  });

  it("clears with Max-Age=0 and the same attributes (a browser only replaces an exact match)", async () => {
    const line = (await app.request("/clear")).headers.get("Set-Cookie") ?? "";
    expect(line).toBe("__Host-sid=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
  });
});

describe("createCookies in development on http://localhost", () => {
  const { app, cookies } = appWith(development);

  it("drops only Secure and the prefix", async () => {
    expect(cookies.secure).toBe(false);
    expect(cookies.name("csrf")).toBe("csrf");
    const line = (await app.request("/set")).headers.get("Set-Cookie") ?? "";
    expect(line).toBe("sid=abc; Max-Age=600; Path=/; HttpOnly; SameSite=Lax");
  });

  it("reads the unprefixed name", async () => {
    const res = await app.request("/get", { headers: { Cookie: "sid=abc" } });
    expect(await res.text()).toBe("abc");
  });
});

describe("createCookies", () => {
  it("treats any https APP_URL as production-grade, whatever NODE_ENV says", () => {
    expect(
      createCookies({ isProduction: false, appUrl: "https://staging.example" }).name("sid"),
    ).toBe("__Host-sid");
  });

  it("refuses base names that could break the header or smuggle a prefix", () => {
    const { cookies } = appWith(production);
    for (const bad of ["", "a;b", "a b", "a=b", "x".repeat(65), "__Host-x".replace("-", ";")]) {
      expect(() => cookies.name(bad)).toThrow(/Invalid cookie base name/);
    }
  });
});

describe("createCookies.get reads the header it was sent", () => {
  const { app } = appWith(development);
  const get = (cookie?: string) =>
    app.request("/get", cookie === undefined ? {} : { headers: { Cookie: cookie } });

  it("answers each request from its own Cookie header (parsed once per request)", async () => {
    expect(await (await get("sid=one")).text()).toBe("one");
    expect(await (await get("sid=two")).text()).toBe("two");
    expect(await (await get()).text()).toBe("(none)");
    expect(await (await get("")).text()).toBe("(none)");
  });

  it("gives the value hono's getCookie gives: first valid pair wins, quotes and escapes decoded", async () => {
    const headers = [
      "a=1; sid=first; sid=second",
      'sid="quoted"',
      "sid=bad value; sid=good",
      "sid=%E2%9C%93",
      "sid=%ZZ",
      "other=1",
      "sidx=1; xsid=2",
      "  sid = spaced ;",
      "__proto__=x; constructor=y",
      "sid=<script>; sid=ok",
    ];
    for (const header of headers) {
      const reference = new Hono().get("/", (c) => c.text(getCookie(c, "sid") ?? "(none)"));
      const expected = await (await reference.request("/", { headers: { Cookie: header } })).text();
      expect(await (await get(header)).text(), header).toBe(expected);
    }
  });
});
