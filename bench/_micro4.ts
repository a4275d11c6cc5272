import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { systemRandom } from "../src/lib/random.js";
import { securityHeaders, createNonceSource } from "../src/security/headers.js";
const nn = createNonceSource(systemRandom());
const CSP = "default-src 'self'; script-src 'nonce-AAAAAAAAAAAAAAAAAAAAAA' 'strict-dynamic'; style-src 'self' 'nonce-AAAAAAAAAAAAAAAAAAAAAA'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; report-uri /csp-report; report-to csp-endpoint";
const fixed: [string,string][] = [["X-Content-Type-Options","nosniff"],["Referrer-Policy","strict-origin-when-cross-origin"],["X-Frame-Options","DENY"],["Cross-Origin-Opener-Policy","same-origin"],["Cross-Origin-Resource-Policy","same-origin"],["Permissions-Policy","camera=(), microphone=(), geolocation=(), payment=(), usb=()"],["X-XSS-Protection","0"],["Reporting-Endpoints",'csp-endpoint="/csp-report"'],["Strict-Transport-Security","max-age=31536000; includeSubDomains"]];
function mk(mw?: any) { const app = new Hono(); if (mw) app.use(mw); app.get("/", c => c.text("Hello")); return app; }
const apps: Record<string, Hono> = {
  plain: mk(),
  hono: mk(secureHeaders()),
  ours: mk(securityHeaders({ random: systemRandom(), cspMode: "strict", hsts: { maxAgeSeconds: 31536000, preload: false } })),
  setsOnly: mk(async (c: any, n: any) => { await n(); const h = c.res.headers; h.set("Content-Security-Policy", CSP); for (const [k,v] of fixed) h.set(k,v); }),
  sets4: mk(async (c: any, n: any) => { await n(); const h = c.res.headers; h.set("Content-Security-Policy", CSP); for (const [k,v] of fixed) h.set(k,v); h.delete("X-Powered-By"); h.delete("Server"); if (!h.has("Cache-Control")) h.get("Content-Type"); }),
};
const best: Record<string, number> = {};
for (let round = 0; round < 8; round++)
for (const [k, app] of Object.entries(apps)) {
  const N = 20000; const t = performance.now();
  for (let i = 0; i < N; i++) { await app.fetch(new Request("http://x/")); }
  const us = (performance.now() - t) / N * 1000; best[k] = Math.min(best[k] ?? 1e9, us);
}
for (const [k, v] of Object.entries(best)) console.log(k, v.toFixed(1));
