import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { exceptPaths } from "./except-paths.js";

function appWith(patterns: string[]) {
  const app = new Hono();
  app.use(
    exceptPaths(patterns, async (c, next) => {
      c.header("X-Guarded", "yes");
      await next();
    }),
  );
  app.get("*", (c) => c.text("ok"));
  return app;
}

const guarded = async (app: Hono, path: string) =>
  (await app.request(path)).headers.get("X-Guarded") === "yes";

describe("exceptPaths", () => {
  const app = appWith(["/healthz", "/static/*"]);

  it("skips exact paths and everything under a prefix, as hono's except() does", async () => {
    expect(await guarded(app, "/healthz")).toBe(false);
    expect(await guarded(app, "/static/app.css")).toBe(false);
    expect(await guarded(app, "/static/vendor/htmx.min.js")).toBe(false);
    expect(await guarded(app, "/static")).toBe(false);
  });

  it("guards everything else, including look-alike paths", async () => {
    for (const path of ["/", "/healthz/x", "/healthzz", "/HEALTHZ", "/staticfile", "/x/static/a"]) {
      expect(await guarded(app, path), path).toBe(true);
    }
  });

  it("refuses patterns it cannot match exactly, at startup", () => {
    expect(() => exceptPaths(["healthz"], async (_c, next) => next())).toThrow(/not a path/);
    expect(() => exceptPaths(["/a/*/b"], async (_c, next) => next())).toThrow(/only end/);
    expect(() => exceptPaths(["/a*"], async (_c, next) => next())).toThrow(/only end/);
  });
});
