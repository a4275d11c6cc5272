import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { signInAdmin } from "./admin-user-fixture.js";

/**
 * The audit dashboard over 100,000 events spread across 90 days, on each
 * database, over HTTP: the first page of the process (which imports ECharts
 * and draws every chart), a reload (charts from the renderer's cache), and
 * each other period (new data, so drawn again). Timings are printed, one
 * line per database, with the handler's own split between queries and
 * charts (its debug log); the assertions are about correctness: wall-clock
 * limits on a shared 2-core machine would only make the test flaky.
 */
const COUNT = 100_000;

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: Math.round(performance.now() - start), value };
}

describe.each(availableDialects())("the audit dashboard at 100k events (%s)", (dialect) => {
  it("counts every event of the window and draws the page", async () => {
    t = await createTestApp({ dialect, logLevel: "debug" });
    const json = dialect === "postgres" ? "JSONB" : "JSON";
    // One statement: 100k rows, one every 77 s back from now (about 89 days).
    await t.deps.db.execute(
      `INSERT INTO audit_events (id, type, outcome, actor_id, target_id, ip, details, created_at)
       SELECT 'big-' || CAST(i AS VARCHAR),
              CASE WHEN i % 10 < 6 THEN 'login_succeeded' WHEN i % 10 < 9 THEN 'login_failed' ELSE 'csrf_rejected' END,
              CASE WHEN i % 10 < 6 THEN 'success' WHEN i % 10 < 9 THEN 'failure' ELSE 'denied' END,
              CASE WHEN i % 10 < 6 THEN 'user-' || CAST(i % 500 AS VARCHAR) END,
              CASE WHEN i % 3 = 0 THEN NULL ELSE 'user-' || CAST(i % 500 AS VARCHAR) END,
              '10.0.' || CAST(i % 250 AS VARCHAR) || '.' || CAST(i % 7 AS VARCHAR),
              CAST(CASE WHEN i % 10 < 2 THEN '{"method":"oauth_github"}'
                        WHEN i % 10 < 4 THEN '{"method":"password","secondFactor":"totp"}'
                        ELSE '{"method":"password"}' END AS ${json}),
              CAST($1 AS TIMESTAMPTZ) - i * INTERVAL '77 seconds'
       FROM generate_series(1, ${COUNT}) AS g(i)`,
      [t.clock.now()],
    );
    const { client } = await signInAdmin(t, { sudo: false });
    const get = async (path: string) => {
      const res = await client.get(path);
      expect(res.status).toBe(200);
      return res.text();
    };
    const first = await timed(() => get("/admin/audit?period=90d"));
    const reload = await timed(() => get("/admin/audit?period=90d"));
    const others: Record<string, number> = {};
    for (const period of ["24h", "7d", "30d"]) {
      others[period] = (await timed(() => get(`/admin/audit?period=${period}`))).ms;
    }
    // 90 days hold every seeded row but those older than the first bucket; the admin's sign-in adds one.
    const failed = Number(
      /id="stat-failed"><a [^>]*>([\d,]+)</.exec(first.value)?.[1]?.replaceAll(",", ""),
    );
    expect(failed).toBeGreaterThan(29_000);
    expect(failed).toBeLessThanOrEqual(30_000);
    const splits = t.logs
      .filter((line) => line.msg === "audit dashboard")
      .map(
        (line) =>
          `${line.period} q${Math.round(Number(line.queriesMs))}+c${Math.round(Number(line.chartsMs))}`,
      );
    console.log(
      `[audit dashboard ${COUNT} events, ${dialect}] first page (ECharts import) ${first.ms} ms, ` +
        `page ${Math.round(first.value.length / 1024)} KiB, reload ${reload.ms} ms, 24h ${others["24h"]} ms, 7d ${others["7d"]} ms, 30d ${others["30d"]} ms; ` +
        `handler ms (queries+charts): ${splits.join(", ")}`,
    );
  }, 120_000);
});
