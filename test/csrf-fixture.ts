import { Hono } from "hono";
import pino from "pino";
import type { AuditInput, AuditRecorder } from "../src/audit/audit.js";
import { loadConfig } from "../src/config/env.js";
import { createErrorHandler } from "../src/errors.js";
import { systemRandom } from "../src/lib/random.js";
import { createMetrics } from "../src/monitoring/metrics.js";
import { createCookies } from "../src/security/cookies.js";
import { csrfProtection } from "../src/security/csrf.js";
import { createCsrfService } from "../src/security/csrf-service.js";

// The CSRF guard on a bare Hono app, shared by src/security/csrf.test.ts and csrf-service.test.ts.

export const ORIGIN = "https://app.example";

/** Records audit inputs in memory: the guard's unit tests need no database. */
function memoryAudit(): AuditRecorder & { inputs: AuditInput[] } {
  const inputs: AuditInput[] = [];
  return {
    inputs,
    record: async (input) => {
      inputs.push(input);
      return { ...input, id: "x", createdAt: new Date(0) } as never;
    },
    list: async () => [],
  };
}

export function setup(env: Record<string, string> = {}) {
  const config = loadConfig({
    env: { NODE_ENV: "test", APP_URL: ORIGIN, TRUSTED_ORIGINS: "https://admin.example", ...env },
    dotenv: false,
  });
  const random = systemRandom();
  const deps = {
    config,
    random,
    csrf: createCsrfService({ config, random, cookies: createCookies(config) }),
    audit: memoryAudit(),
    metrics: createMetrics({ defaultMetrics: false }),
    logger: pino({ level: "silent" }),
  };
  const app = new Hono();
  app.use(csrfProtection({ deps, exemptPaths: ["/csp-report"] }));
  app.get("/form", (c) => c.html(`<input name="_csrf" value="${c.get("csrfToken")}">`));
  app.get("/api", (c) => c.json({ token: c.get("csrfToken") }));
  app.post("/echo", async (c) => c.json({ body: await c.req.parseBody({ all: true }) }));
  app.post("/text", async (c) => c.text(await c.req.text()));
  app.on(["PUT", "PATCH", "DELETE", "PROPFIND"], "/thing", (c) => c.text("changed"));
  app.post("/login", async (c) => {
    deps.csrf.rotate(c);
    return c.json({ token: c.get("csrfToken") });
  });
  app.post("/csp-report", (c) => c.text("logged"));
  app.onError(
    createErrorHandler({
      logger: deps.logger,
      random: deps.random,
      isProduction: false,
      renderPage: (c, view) => c.html(`<h1>${view.code}</h1>`, view.status),
    }),
  );

  /** A visitor: GET /form, keep the cookie and the rendered token. */
  const visit = async () => {
    const res = await app.request("/form");
    const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const token = /value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
    return { cookie, token };
  };
  const rejections = async (reason: string) =>
    (await deps.metrics.registry.getSingleMetricAsString("csrf_rejections_total")).match(
      new RegExp(`reason="${reason}"} (\\d+)`),
    )?.[1];
  return { app, deps, visit, rejections };
}

export const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
  body: new URLSearchParams(fields).toString(),
});
