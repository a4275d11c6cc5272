import { afterEach, describe, expect, it } from "vitest";
import type { TestApp } from "../harness.js";
import { auditOf, oauthApp, type Providers, startProviders } from "./oauth-fixture.js";

let p: Providers | undefined;
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  await p?.close();
  t = undefined;
  p = undefined;
});

/**
 * Threat: a misconfiguration nobody can diagnose. When OIDC discovery fails
 * the visitor gets a friendly page, so the log line is the operator's only
 * clue: it must say why (here the provider names another issuer than
 * OIDC_ISSUER, which openid-client rightly refuses), not just "discovery_failed".
 */
describe("OIDC discovery failure", () => {
  it("logs the cause of an issuer mismatch, with both issuers, and shows a page", async () => {
    p = await startProviders();
    const configured = p.idp.issuer;
    // The provider now announces a different issuer from the one we were told to trust.
    const announced = configured.replace("127.0.0.1", "localhost");
    p.idp.server.issuer.url = announced;
    t = await oauthApp("duckdb", p);

    const res = await t.newClient().get("/auth/oauth/oidc");
    // The visitor gets the provider-unavailable page, as for any upstream failure.
    expect(res.status).toBe(502);
    expect(await res.text()).toContain("Acme SSO is unavailable");
    expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({
      reason: "discovery_failed",
    });
    const line = t.logs.find((l) => l.msg === "oauth flow failed");
    expect(line).toMatchObject({
      level: 40,
      provider: "oidc",
      reason: "discovery_failed",
      code: "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED",
      attribute: "issuer",
      actual: announced,
    });
    expect(String(line?.cause)).toMatch(/issuer does not match/);
    expect(String(line?.expected)).toContain(configured);
  });
});
