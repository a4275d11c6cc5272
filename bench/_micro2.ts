import { randomBytes } from "node:crypto";
import { Hono } from "hono";

const CSP =
  "default-src 'self'; script-src 'nonce-AAAAAAAAAAAAAAAAAAAAAA' 'strict-dynamic'; style-src 'self' 'nonce-AAAAAAAAAAAAAAAAAAAAAA'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; report-uri /csp-report; report-to csp-endpoint";
const fixed: [string, string][] = [
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ["X-Frame-Options", "DENY"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"],
  ["X-XSS-Protection", "0"],
  ["Reporting-Endpoints", 'csp-endpoint="/csp-report"'],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
];
function mk(mw?: any) {
  const app = new Hono();
  if (mw) app.use(mw);
  app.get("/", (c) => c.text("Hello"));
  return app;
}
const apps: Record<string, Hono> = {
  plain: mk(),
  emptyMw: mk(async (c: any, n: any) => {
    await n();
  }),
  setOnly: mk(async (c: any, n: any) => {
    c.set("cspNonce", "x");
    await n();
  }),
  rbOnly: mk(async (c: any, n: any) => {
    randomBytes(16);
    await n();
  }),
  nonceOnly: mk(async (c: any, n: any) => {
    c.set("cspNonce", randomBytes(16).toString("base64url"));
    await n();
  }),
  fixedOnly: mk(async (c: any, n: any) => {
    await n();
    const h = c.res.headers;
    for (const [k, v] of fixed) h.set(k, v);
  }),
  cspOnly: mk(async (c: any, n: any) => {
    await n();
    c.res.headers.set("Content-Security-Policy", CSP);
  }),
  delOnly: mk(async (c: any, n: any) => {
    await n();
    const h = c.res.headers;
    h.delete("X-Powered-By");
    h.delete("Server");
  }),
  cacheOnly: mk(async (c: any, n: any) => {
    await n();
    const h = c.res.headers;
    if (!h.has("Cache-Control") && (h.get("Content-Type") ?? "").startsWith("text/html"))
      h.set("Cache-Control", "no-store");
  }),
  preFixed: mk(async (c: any, n: any) => {
    for (const [k, v] of fixed) c.header(k, v);
    c.header("Content-Security-Policy", CSP);
    await n();
  }),
};
for (let round = 0; round < 4; round++)
  for (const [k, app] of Object.entries(apps)) {
    const N = 50000;
    const t = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await app.fetch(new Request("http://x/"));
    }
    if (round >= 2) console.log(k, (((performance.now() - t) / N) * 1000).toFixed(1), "us");
  }
