import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { systemRandom } from "../src/lib/random.js";
import { securityHeaders } from "../src/security/headers.js";

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
};
for (let round = 0; round < 2; round++)
  for (const [k, app] of Object.entries(apps)) {
    const N = 50000;
    const t = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await app.fetch(new Request("http://x/"));
    }
    console.log(k, (((performance.now() - t) / N) * 1000).toFixed(1), "us");
  }
let t = performance.now();
for (let i = 0; i < 100000; i++) randomBytes(16);
console.log("randomBytes", ((performance.now() - t) / 100).toFixed(2), "us");
t = performance.now();
const r = systemRandom();
for (let i = 0; i < 100000; i++) Buffer.from(r.bytes(16)).toString("base64url");
console.log("nonce", ((performance.now() - t) / 100).toFixed(2), "us");
