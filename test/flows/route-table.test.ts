import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSRF_EXEMPT_PATHS } from "../../src/security/csrf.js";
import { createTestApp, type TestApp } from "../harness.js";

/**
 * Threats: a GET that changes state can be triggered cross-site by an <img>
 * or a link (no CSRF check applies to safe methods), and an unsafe route the
 * CSRF guard does not cover is a forgeable action. Both are checked against
 * the real app's route table, so a route added later is covered automatically.
 */
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const ORIGIN = "http://localhost:8000";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A concrete URL for a route pattern: params and wildcards get a harmless value. */
function concrete(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+(\{[^}]*\})?\??/g, "test-param").replace(/\*/g, "test-file");
}

/** Middleware is registered as ALL on a wildcard path; an ALL route on a real path is a handler. */
const isMiddleware = (route: { method: string; path: string }) =>
  route.method === "ALL" && (route.path === "*" || route.path.endsWith("/*"));

function routes(app: TestApp = t) {
  const seen = new Set<string>();
  return app.app.routes.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (isMiddleware(r) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Row count of every table in the app's schema. */
async function rowCounts(app: TestApp = t): Promise<Record<string, number>> {
  const tables = await app.deps.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  // Every table counted in one statement: one round trip instead of one per table, run
  // before and after each of the hundreds of requests below.
  const rows = await app.deps.db.query<{ table_name: string; n: number }>(
    tables
      .map(
        ({ table_name }) =>
          `SELECT '${table_name}' AS table_name, count(*) AS n FROM "${table_name}"`,
      )
      .join(" UNION ALL "),
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    counts[table_name] = Number(rows.find((r) => r.table_name === table_name)?.n);
  }
  return counts;
}

/** "METHOD path" of every GET/HEAD request that changed a row count or failed with a 5xx. */
async function stateChangingGets(app: TestApp): Promise<string[]> {
  const offenders: string[] = [];
  for (const route of routes(app).filter((r) => r.method === "GET" || r.method === "ALL")) {
    const url = concrete(route.path);
    for (const method of ["GET", "HEAD"]) {
      const before = await rowCounts(app);
      const res = await app.newClient().request(url, { method, headers: { Origin: ORIGIN } });
      const after = await rowCounts(app);
      if (res.status >= 500 || JSON.stringify(after) !== JSON.stringify(before)) {
        offenders.push(`${method} ${route.path}`);
      }
    }
  }
  return offenders;
}

describe("route table", () => {
  it("sees the real routes and the real tables (the checks below are not vacuous)", async () => {
    const methods = routes().map((r) => r.method);
    expect(methods).toContain("GET");
    expect(methods.some((m) => UNSAFE.has(m))).toBe(true);
    expect(Object.keys(await rowCounts())).toContain("audit_events");
  });

  it("no GET or HEAD route changes a table's row count", async () => {
    expect(await stateChangingGets(t)).toEqual([]);
  });

  it("the GET check catches a state-changing GET (self-test)", async () => {
    const other = await createTestApp();
    try {
      other.app.get("/test-only/unsafe-get", async (c) => {
        await other.deps.audit.record({ type: "app_started", outcome: "info" });
        return c.text("wrote a row");
      });
      expect(await stateChangingGets(other)).toContain("GET /test-only/unsafe-get");
    } finally {
      await other.close();
    }
  });

  it("every unsafe route without a token is refused by the CSRF guard, except the documented exemptions", async () => {
    // Adding an exemption must be a visible, reviewed change to this list.
    expect(CSRF_EXEMPT_PATHS).toEqual(["/csp-report"]);
    const unsafe = routes().filter((r) => UNSAFE.has(r.method) || r.method === "ALL");
    const covered: string[] = [];
    for (const route of unsafe) {
      if (CSRF_EXEMPT_PATHS.includes(route.path)) continue;
      const method = route.method === "ALL" ? "POST" : route.method;
      const url = concrete(route.path);
      // Same-origin, so only the token layer stands between this request and the handler.
      const res = await t.newClient().request(url, {
        method,
        headers: {
          Origin: ORIGIN,
          Accept: "application/json",
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: "probe=1",
      });
      expect(res.status, `${method} ${route.path}`).toBe(403);
      expect(await res.json(), `${method} ${route.path}`).toMatchObject({
        error: { code: "CSRF_REJECTED" },
      });
      covered.push(`${method} ${route.path}`);
    }
    expect(covered.length).toBeGreaterThan(0);
  });
});
