import { afterEach, expect, it } from "vitest";
import { signedInAdmin } from "../flows/audit-explorer-fixture.js";
import { startTestServer } from "../harness.js";

/**
 * The audit export at scale: 1,000,000 rows in a file-backed DuckDB, exported
 * as CSV over a real socket while the process's resident memory is sampled
 * every 100 ms. The export streams keyset batches as the socket takes them,
 * so memory stays about one batch whatever the row count; the bound
 * is 200 MB of growth. Rate and peak are printed for the CI log (no
 * assertion on speed: the machine is shared).
 */
const ROWS = Number(process.env.AUDIT_EXPORT_ROWS ?? 1_000_000);
const MB = 1024 * 1024;

let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it("exports 1,000,000 audit rows as CSV in constant memory, and records the export", async () => {
  server = await startTestServer({ duckdbFile: true });
  const admin = await signedInAdmin(server, server.url);
  // The test database's 128 MB cap is too small to build five indexes over 1M rows in one
  // transaction: raised for the seed, put back before the export is measured.
  await server.deps.db.execute("SET memory_limit = '1GB'");
  // One statement, a second apart, details and an agent on every row (a realistic row width).
  await server.deps.db.execute(
    `INSERT INTO audit_events (id, type, outcome, actor_id, target_id, ip, user_agent, request_id, details, created_at)
     SELECT 'bulk-' || lpad(CAST(i AS VARCHAR), 7, '0'),
       CASE WHEN i % 3 = 0 THEN 'login_failed' ELSE 'login_succeeded' END,
       CASE WHEN i % 3 = 0 THEN 'failure' ELSE 'success' END,
       NULL, 'user-' || CAST(i % 5000 AS VARCHAR),
       '203.0.' || CAST(i % 256 AS VARCHAR) || '.' || CAST(i % 200 AS VARCHAR),
       'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
       'req-' || CAST(i AS VARCHAR),
       CAST('{"method":"password","email":"user' || CAST(i % 5000 AS VARCHAR) || '@example.com"}' AS JSON),
       TIMESTAMPTZ '2025-12-01 00:00:00+00' + to_seconds(i)
     FROM range(${ROWS}) t(i)`,
  );
  await server.deps.db.execute("CHECKPOINT");
  await server.deps.db.execute("SET memory_limit = '128MB'");
  const total = Number(
    (await server.deps.db.one<{ n: number }>("SELECT count(*) AS n FROM audit_events"))?.n,
  );
  expect(total).toBeGreaterThanOrEqual(ROWS);
  const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const started = performance.now();
  let lines = 0;
  let bytes = 0;
  try {
    const res = await fetch(`${server.url}/admin/audit/export?format=csv`, {
      headers: { Cookie: cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-/);
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      // LF bytes: one per CSV line (CRLF ends), none inside a cell of these rows.
      for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  const growth = (peak - baseline) / MB;
  console.log(
    `audit export: ${lines - 1} rows, ${(bytes / MB).toFixed(0)} MB of CSV in ${seconds.toFixed(1)} s ` +
      `(${Math.round((lines - 1) / seconds)} rows/s); RSS baseline ${(baseline / MB).toFixed(0)} MB, ` +
      `peak ${(peak / MB).toFixed(0)} MB, growth ${growth.toFixed(0)} MB`,
  );
  expect(lines - 1).toBe(total);
  expect(growth).toBeLessThan(200);

  await server.settle();
  const recorded = await server.deps.db.query<{ outcome: string; details: unknown }>(
    "SELECT outcome, details FROM audit_events WHERE type = 'audit_exported'",
  );
  expect(recorded).toHaveLength(1);
  const details = recorded[0]?.details;
  expect(recorded[0]?.outcome).toBe("success");
  expect(typeof details === "string" ? JSON.parse(details) : details).toMatchObject({
    format: "csv",
    rows: total,
  });
}, 180_000);

it("a client that hangs up mid-export is recorded as a failed export with the rows sent so far", async () => {
  server = await startTestServer();
  const admin = await signedInAdmin(server, server.url);
  await server.deps.db.execute(
    `INSERT INTO audit_events (id, type, outcome, details, created_at)
     SELECT 'cut-' || lpad(CAST(i AS VARCHAR), 6, '0'), 'logout', 'success', CAST('{"pad":"${"x".repeat(200)}"}' AS JSON),
       TIMESTAMPTZ '2025-12-01 00:00:00+00' + to_seconds(i)
     FROM range(50000) t(i)`,
  );
  const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const abort = new AbortController();
  const res = await fetch(`${server.url}/admin/audit/export?format=ndjson`, {
    headers: { Cookie: cookie },
    signal: abort.signal,
  });
  const reader = res.body?.getReader();
  await reader?.read();
  abort.abort();
  await reader?.cancel().catch(() => {});
  // The server notices the closed socket on its next write; poll for the record.
  let recorded: Array<{ outcome: string; details: unknown }> = [];
  for (let i = 0; i < 100 && recorded.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    recorded = await server.deps.db.query(
      "SELECT outcome, details FROM audit_events WHERE type = 'audit_exported'",
    );
  }
  expect(recorded).toHaveLength(1);
  expect(recorded[0]?.outcome).toBe("failure");
  const details = recorded[0]?.details;
  const parsed = (typeof details === "string" ? JSON.parse(details) : details) as { rows: number };
  expect(parsed.rows).toBeGreaterThan(0);
  expect(parsed.rows).toBeLessThan(50_000);
}, 60_000);
