/**
 * Peer servers of the throughput scenario, each forked into its own process
 * (`servers.tsx <kind>`) on 127.0.0.1; it reports its URL over IPC and exits
 * when the bench disconnects.
 *
 * - hono-hello: bare Hono, GET / answers "Hello, World!"
 * - node-hello: bare node:http, the ceiling
 * - hono-dashboard: bare Hono, no middleware: GET /dashboard renders the
 *   app's dashboard through the app's renderPage with fixed request variables
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { DashboardPage } from "../../src/account/dashboard/routes.js";
import { DEFAULT_SITE } from "../../src/ui/assets.js";
import { renderPage } from "../../src/ui/layout.js";
import { assetUrls, BENCH_USER, FIXED_CSRF_TOKEN, FIXED_NONCE } from "./dashboard.js";

function ready(port: number): void {
  process.send?.({ url: `http://127.0.0.1:${port}` });
  process.on("disconnect", () => process.exit(0));
}

function honoServer(app: Hono): void {
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) =>
    ready(info.port),
  );
  server.on("error", (error) => {
    console.error(error);
    process.exit(1);
  });
}

const kind = process.argv[2];
if (kind === "hono-hello") {
  const app = new Hono();
  app.get("/", (c) => c.text("Hello, World!"));
  honoServer(app);
} else if (kind === "hono-dashboard") {
  const app = new Hono();
  app.get("/dashboard", (c) => {
    c.set("user", BENCH_USER);
    c.set("cspNonce", FIXED_NONCE);
    c.set("csrfToken", FIXED_CSRF_TOKEN);
    c.set("assets", { url: assetUrls.assetUrl });
    c.set("site", DEFAULT_SITE);
    return renderPage(c, { title: "Dashboard", children: <DashboardPage user={BENCH_USER} /> });
  });
  honoServer(app);
} else if (kind === "node-hello") {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; charset=UTF-8" });
    res.end("Hello, World!");
  });
  server.listen(0, "127.0.0.1", () => ready((server.address() as AddressInfo).port));
} else {
  console.error(`unknown peer ${kind}`);
  process.exit(1);
}
