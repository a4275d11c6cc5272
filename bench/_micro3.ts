import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { systemRandom } from "../src/lib/random.js";
import { createNonceSource, securityHeaders } from "../src/security/headers.js";

const nn = createNonceSource(systemRandom());
function mk(mw?: any) {
  const app = new Hono();
  if (mw) app.use(mw);
  app.get("/", (c) => c.text("Hello"));
  return app;
}
const apps: Record<string, Hono> = {
  plain: mk(),
  hono: mk(secureHeaders()),
  ours: mk(
    securityHeaders({
      random: systemRandom(),
      cspMode: "strict",
      hsts: { maxAgeSeconds: 31536000, preload: false },
    }),
  ),
  nonceSet: mk(async (c: any, n: any) => {
    c.set("cspNonce", nn());
    await n();
  }),
};
const best: Record<string, number> = {};
for (let round = 0; round < 8; round++)
  for (const [k, app] of Object.entries(apps)) {
    const N = 20000;
    const t = performance.now();
    for (let i = 0; i < N; i++) {
      await app.fetch(new Request("http://x/"));
    }
    const us = ((performance.now() - t) / N) * 1000;
    best[k] = Math.min(best[k] ?? 1e9, us);
  }
for (const [k, v] of Object.entries(best)) console.log(k, v.toFixed(1));
