import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCliCaptured } from "../../../test/cli.js";
import { availableDialects, type Dialect } from "../../../test/harness.js";
import { captureLogger } from "../../../test/logs.js";
import { createPgSchema, type PgSchema } from "../../../test/pg.js";
import { buildDeps } from "../../bootstrap.js";
import { loadConfig } from "../../config/env.js";
import type { Deps } from "../../deps.js";
import { fixedClock } from "../../lib/clock.js";
import { systemRandom } from "../../lib/random.js";
import { parseAuditArgs } from "./audit.js";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("audit arguments", () => {
  it.each([
    [[], '"audit" needs a subcommand: verify or prune'],
    [["check"], 'unknown subcommand "audit check"'],
    [["verify", "--fix"], 'unexpected argument "--fix" after "audit verify"'],
    [["prune", "--days"], "--days needs a whole number of days from 1 to 36500"],
    [["prune", "--days", "0"], "--days needs a whole number of days from 1 to 36500"],
    [["prune", "--days", "-5"], "--days needs a whole number of days from 1 to 36500"],
    [["prune", "--days", "1e3"], "--days needs a whole number of days from 1 to 36500"],
    [["prune", "--days", "99999999"], "--days needs a whole number of days from 1 to 36500"],
    [["prune", "--days", "７"], "--days needs a whole number of days from 1 to 36500"],
    [["prune", "'; DROP TABLE audit_events; --"], "unexpected argument"],
  ])("%j is refused: %s", (args, problem) => {
    const parsed = parseAuditArgs(args);
    expect("problem" in parsed && parsed.problem).toContain(problem);
  });

  it("accepts the documented forms", () => {
    expect(parseAuditArgs(["verify", "--json"])).toEqual({ sub: "verify", json: true });
    expect(parseAuditArgs(["prune", "--dry-run", "--days", "30"])).toEqual({
      sub: "prune",
      dryRun: true,
      days: 30,
    });
  });
});

/**
 * `npm run cli -- audit verify|prune` in this process on a real database
 * (no server runs, so it takes the direct path; the control socket is tested
 * in control/*.test.ts): exit 0 on an intact chain, 1 naming the row after a
 * hand-made UPDATE or DELETE.
 */
describe.each(availableDialects())("audit command on %s", (dialect: Dialect) => {
  const tmp = mkdtempSync(join(tmpdir(), "bastion-cli-audit-"));
  let env: Record<string, string> = {};
  let schema: PgSchema | undefined;
  const clock = fixedClock();

  beforeAll(async () => {
    env = { NODE_ENV: "test", DATA_DIR: join(tmp, "data"), SECRET_KEY: "k".repeat(40) };
    if (dialect === "postgres") {
      schema = await createPgSchema(inject("pgUrl") ?? "");
      env.DATABASE_URL = schema.url;
    }
  });
  afterAll(async () => {
    await schema?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const cli = (argv: string[]) => runCliCaptured(argv, { cwd: tmp, env });

  /** The app's services on the same database, writing events as the app would. */
  async function withDeps(work: (deps: Deps) => Promise<void>): Promise<void> {
    const deps = await buildDeps({
      config: loadConfig({ cwd: tmp, env, dotenv: false }),
      logger: captureLogger().logger,
      clock,
      random: systemRandom(),
      defaultMetrics: false,
    });
    try {
      await work(deps);
    } finally {
      await deps.db.close();
    }
  }

  it("verify: exit 0 on an intact chain, and the run itself is audited", async () => {
    await withDeps(async (deps) => {
      for (let i = 0; i < 5; i++) {
        await deps.audit.record({ type: "logout", outcome: "success", requestId: `r${i}` });
      }
    });
    const first = await cli(["audit", "verify"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^audit chain intact: 5 rows, seq 1 to 5; 0 erased/m);
    const json = await cli(["audit", "verify", "--json"]);
    expect(json.code).toBe(0);
    // The first verify recorded audit_verified: now six rows.
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, rows: 6, headSeq: 6 });
  });

  it("verify: exit 1 naming the row after a hand-made UPDATE, then after a DELETE", async () => {
    let target = "";
    await withDeps(async (deps) => {
      const row = await deps.db.one<{ id: string }>("SELECT id FROM audit_events WHERE seq = 3");
      target = row?.id ?? "";
      await deps.db.execute(`UPDATE audit_events SET details = '{"i":99}' WHERE id = $1`, [target]);
    });
    const updated = await cli(["audit", "verify"]);
    expect(updated.code).toBe(1);
    expect(updated.stdout).toContain(`audit chain BROKEN at row ${target} (seq 3)`);

    let next = "";
    await withDeps(async (deps) => {
      await deps.db.execute(`UPDATE audit_events SET details = '{"i":2}' WHERE id = $1`, [target]);
      const row = await deps.db.one<{ id: string }>("SELECT id FROM audit_events WHERE seq = 4");
      next = row?.id ?? "";
      await deps.db.execute("DELETE FROM audit_events WHERE id = $1", [target]);
    });
    const deleted = await cli(["audit", "verify", "--json"]);
    expect(deleted.code).toBe(1);
    expect(JSON.parse(deleted.stdout).broken).toMatchObject({ id: next, seq: 4 });
  });

  it("prune --dry-run counts, prune deletes and the rest still verifies", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "bastion-cli-audit-prune-"));
    const saved = env;
    let prunedSchema: PgSchema | undefined;
    env = { ...env, DATA_DIR: join(fresh, "data") };
    if (dialect === "postgres") {
      prunedSchema = await createPgSchema(inject("pgUrl") ?? "");
      env.DATABASE_URL = prunedSchema.url;
    }
    try {
      await withDeps(async (deps) => {
        // Three rows stamped 400 days ago, two now (the CLI runs on the real clock).
        clock.set(new Date(Date.now() - 400 * DAY_MS));
        for (let i = 0; i < 3; i++) await deps.audit.record({ type: "logout", outcome: "success" });
        clock.set(new Date());
        for (let i = 0; i < 2; i++) await deps.audit.record({ type: "logout", outcome: "success" });
      });
      const dry = await cli(["audit", "prune", "--dry-run"]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^would delete 3 audit rows older than .* \(365 days\)/);
      const run = await cli(["audit", "prune", "--days", "365"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^deleted 3 audit rows .*the chain now starts after seq 3/);
      const verify = await cli(["audit", "verify", "--json"]);
      expect(verify.code).toBe(0);
      // Two kept, plus audit_pruned recorded by the prune.
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, anchorSeq: 3, rows: 3 });
    } finally {
      env = saved;
      await prunedSchema?.drop();
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("usage errors exit 2 before any database is opened", async () => {
    const bad = await cli(["audit", "prune", "--days", "many"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--days needs a whole number");
  });
});
