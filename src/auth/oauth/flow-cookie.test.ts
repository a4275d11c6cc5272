import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { fixedClock } from "../../lib/clock.js";
import { createCookies } from "../../security/cookies.js";
import { createFlowCookies, FLOW_COOKIE, type FlowReadResult } from "./flow-cookie.js";

const SECRET = "s".repeat(40);
const FLOW = {
  provider: "oidc" as const,
  state: "a".repeat(43),
  codeVerifier: "b".repeat(43),
  nonce: "c".repeat(43),
  intent: "sign_in" as const,
};

function setup(options: { secure?: boolean; secret?: string } = {}) {
  const clock = fixedClock();
  const cookies = createCookies({
    isProduction: options.secure ?? false,
    appUrl: options.secure ? "https://example.com" : "http://localhost:8000",
  });
  const flows = createFlowCookies({ cookies, secretKey: options.secret ?? SECRET, clock });
  const app = new Hono();
  app.get("/issue", (c) => {
    flows.issue(c, FLOW);
    return c.text("ok");
  });
  app.get("/read", (c) => c.json(flows.read(c)));
  const read = async (cookie: string): Promise<FlowReadResult> =>
    (await app.request("/read", { headers: { Cookie: cookie } })).json() as Promise<FlowReadResult>;
  const issue = async () => (await app.request("/issue")).headers.get("Set-Cookie") ?? "";
  return { clock, read, issue, cookies };
}

const pair = (setCookie: string) => setCookie.split(";")[0] ?? "";

describe("flow cookie", () => {
  it("round-trips the flow, with the attributes the callback needs", async () => {
    const { read, issue } = setup();
    const set = await issue();
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).toMatch(/Max-Age=600/);
    const result = await read(pair(set));
    expect(result).toMatchObject({ ok: true, flow: FLOW });
  });

  it("uses the __Host- prefix on https", async () => {
    const { issue } = setup({ secure: true });
    expect(await issue()).toMatch(/^__Host-oauth_flow=.*Secure/);
  });

  it("threat: a forged or edited cookie (login CSRF, intent change) is refused", async () => {
    const { read, issue } = setup();
    const [, value] = pair(await issue()).split("=");
    const [payload, mac] = (value ?? "").split(".");
    const edited = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    edited.intent = "link";
    const forged = `${Buffer.from(JSON.stringify(edited)).toString("base64url")}.${mac}`;
    expect(await read(`${FLOW_COOKIE}=${forged}`)).toEqual({ ok: false, reason: "bad_signature" });
    // Signed with another SECRET_KEY: also refused.
    const other = setup({ secret: "t".repeat(40) });
    expect(await read(pair(await other.issue()))).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses missing, malformed, oversized and expired cookies", async () => {
    const { read, issue, clock } = setup();
    expect(await read("x=y")).toEqual({ ok: false, reason: "missing_cookie" });
    expect(await read(`${FLOW_COOKIE}=nodot`)).toEqual({ ok: false, reason: "malformed" });
    expect(await read(`${FLOW_COOKIE}=${"a".repeat(3000)}.b`)).toEqual({
      ok: false,
      reason: "malformed",
    });
    const set = pair(await issue());
    clock.advance(600_000);
    expect(await read(set)).toEqual({ ok: false, reason: "expired" });
  });

  it("an authentic but unparsable payload is malformed, not a crash", async () => {
    const { hmacSha256 } = await import("../../lib/crypto.js");
    const { base64url } = await import("../../lib/encoding.js");
    const key = hmacSha256(SECRET, "bastion:oauth-flow-cookie:v1");
    const { read } = setup();
    for (const body of ["not json", JSON.stringify({ provider: "evil" })]) {
      const payload = Buffer.from(body).toString("base64url");
      const value = `${payload}.${base64url(hmacSha256(key, payload))}`;
      expect(await read(`${FLOW_COOKIE}=${value}`)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
