import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { appRouteTable, referenceConfig } from "../../src/cli/commands/route-app.js";
import { markdownPage } from "../../src/cli/commands/routes.js";
import type { RouteRow } from "../../src/http/route-meta.js";
import { createTestApp } from "../harness.js";

/**
 * docs/http.md is the route table of the reference app. A route added, a
 * guard dropped or a rate limit moved without regenerating it
 * (`npm run docs:http`) fails here, so the page never describes another app.
 */
const DOC = new URL("../../docs/http.md", import.meta.url);

const row = (rows: RouteRow[], method: string, path: string) =>
  rows.find((r) => r.method === method && r.path === path);

describe("docs/http.md", () => {
  it("is the route table of the app, as `npm run docs:http` writes it", async () => {
    const rows = await appRouteTable(referenceConfig());
    expect(readFileSync(DOC, "utf8")).toBe(markdownPage(rows));
  });

  it("reads guards, limits and exemptions from what runs in front of each route (not vacuous)", async () => {
    const rows = await appRouteTable(referenceConfig());
    expect(row(rows, "GET", "/account")).toMatchObject({ guards: ["user"] });
    expect(row(rows, "POST", "/account/email")).toMatchObject({
      guards: ["user", "sudo"],
      limits: ["verify_resend"],
    });
    // Opened from a mailed link, on a device where nobody is signed in.
    expect(row(rows, "GET", "/account/email/confirm")).toMatchObject({ guards: [] });
    expect(row(rows, "POST", "/account/theme")).toMatchObject({ guards: [] });
    expect(row(rows, "POST", "/account/2fa/disable")).toMatchObject({
      guards: ["user", "sudo"],
      limits: ["two_factor"],
    });
    expect(row(rows, "GET", "/account/2fa/done")).toMatchObject({ guards: ["user"] });
    expect(row(rows, "POST", "/auth/login")).toMatchObject({
      guards: [],
      limits: ["login", "login_account"],
    });
    expect(row(rows, "GET", "/dev/mail")).toMatchObject({ guards: ["dev-only"] });
    expect(row(rows, "POST", "/csp-report")).toMatchObject({
      limits: ["csp_report"],
      csrfExempt: true,
    });
    expect(rows.filter((r) => r.csrfExempt).map((r) => r.path)).toEqual(["/csp-report"]);
  });

  it("threat: a handler that starts spending a budget its route does not declare fails loudly", async () => {
    const t = await createTestApp();
    try {
      t.app.get("/test-only/undeclared", async (c) => {
        await t.deps.rateLimiter.enforce(c, "login", "test");
        return c.text("spent");
      });
      const res = await t.client.get("/test-only/undeclared");
      expect(res.status).toBe(500);
      expect(JSON.stringify(t.logs)).toContain('rate-limit policy \\"login\\"');
    } finally {
      await t.close();
    }
  });
});
