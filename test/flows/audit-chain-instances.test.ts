import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { verifyChain } from "../../src/audit/verify.js";
import { openPostgres } from "../../src/db/postgres.js";
import { type MainProcess, startMain, waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";
import { createPgSchema } from "../pg.js";

const pgUrl = inject("pgUrl");
const PER_INSTANCE = 60;

/**
 * Threat: two instances on one PostgreSQL database each read the chain's
 * head, both append after it, and the chain forks (two rows claim the same
 * predecessor), after which no verification can succeed. Two real server
 * processes take concurrent requests that each record an event in a
 * transaction of its own (a POST without a CSRF token: csrf_rejected); the
 * rows from both must form one unbroken chain, interleaved.
 */
describe.skipIf(!pgUrl)("audit chain with two instances on one PostgreSQL database", () => {
  const started: MainProcess[] = [];
  const dirs: string[] = [];
  let dropSchema: () => Promise<void> = async () => {};

  afterAll(async () => {
    for (const app of started) app.child.kill("SIGKILL");
    await Promise.all(started.map((app) => app.exited));
    await dropSchema();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps one chain while both write at once", async () => {
    const schema = await createPgSchema(pgUrl ?? "");
    dropSchema = schema.drop;
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), "bastion-chain-"));
      dirs.push(dir);
      started.push(
        startMain({
          PORT: String(port),
          DATA_DIR: dir,
          DATABASE_URL: schema.url,
          APP_URL: `http://127.0.0.1:${port}`,
          LOG_LEVEL: "warn",
        }),
      );
      urls.push(`http://127.0.0.1:${port}`);
    }
    await Promise.all(urls.map((url) => waitForAnswer(`${url}/healthz`)));

    const refused = await Promise.all(
      urls.flatMap((url, instance) =>
        Array.from({ length: PER_INSTANCE }, (_, n) =>
          fetch(`${url}/auth/logout`, {
            method: "POST",
            headers: { "User-Agent": `instance-${instance} request-${n}` },
          }).then((res) => res.status),
        ),
      ),
    );
    expect(refused.every((status) => status === 403)).toBe(true);

    const db = await openPostgres({ url: schema.url, schema: schema.schema, poolMax: 2 });
    try {
      const report = await verifyChain(db);
      expect(report.broken).toBeUndefined();
      expect(report.ok).toBe(true);
      const rows = await db.query<{ user_agent: string | null }>(
        "SELECT user_agent FROM audit_events WHERE type = 'csrf_rejected' ORDER BY seq",
      );
      expect(rows).toHaveLength(2 * PER_INSTANCE);
      // Interleaved: the writers really raced for the head, rather than one after the other.
      const owners = rows.map((row) => row.user_agent?.slice(0, 10));
      const switches = owners.filter((owner, i) => i > 0 && owner !== owners[i - 1]).length;
      expect(switches).toBeGreaterThan(1);
    } finally {
      await db.close();
    }
  });
});
