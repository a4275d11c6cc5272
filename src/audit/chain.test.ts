import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUser } from "../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { canonicalJson, chainLegacyRows, readChainHead } from "./chain.js";
import { pruneAuditLog } from "./retention.js";
import { verifyChain } from "./verify.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Events with every kind of field, written both alone and inside a caller's transaction. */
async function recordSome(t: TestApp, count: number, prefix = "e") {
  for (let i = 0; i < count; i++) {
    const input = {
      type: "login_failed" as const,
      outcome: "failure" as const,
      ip: `203.0.113.${i % 250}`,
      userAgent: `agent ${prefix}${i} ünïcödé`,
      details: { reason: "wrong_password", n: i, nested: { b: 2, a: [1, "x"] } },
    };
    if (i % 2 === 0) await t.deps.audit.record(input);
    else await t.deps.db.transaction((tx) => t.deps.audit.record(input, tx));
  }
}

async function lastRow(t: TestApp) {
  return t.deps.db.one<{ id: string; seq: number }>(
    "SELECT id, seq FROM audit_events ORDER BY seq DESC LIMIT 1",
  );
}

async function rowAt(t: TestApp, seq: number) {
  const row = await t.deps.db.one<{ id: string }>("SELECT id FROM audit_events WHERE seq = $1", [
    seq,
  ]);
  if (!row) throw new Error(`no row at seq ${seq}`);
  return row.id;
}

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined like JSON does", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"z":1}]},"b":1}',
    );
    expect(canonicalJson(undefined)).toBe("null");
  });
});

describe.each(availableDialects())("audit hash chain on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await t.close();
  });

  it("links every row to the one before, in write order, and verifies", async () => {
    await recordSome(t, 12);
    const report = await verifyChain(t.deps.db);
    expect(report).toMatchObject({ ok: true, anchorSeq: 0 });
    expect(report.rows).toBe(report.headSeq);
    expect(report.rows).toBeGreaterThanOrEqual(12);
    const seqs = await t.deps.db.query<{ seq: number }>(
      "SELECT seq FROM audit_events ORDER BY seq",
    );
    expect(seqs.map((r) => Number(r.seq))).toEqual(seqs.map((_, i) => i + 1));
  });

  it("keeps one chain when many writers record at once (no fork, no gap)", async () => {
    const before = (await readChainHead(t.deps.db)).headSeq;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 3 === 0
          ? t.deps.db.transaction((tx) =>
              t.deps.audit.record(
                {
                  type: "rate_limited",
                  outcome: "denied",
                  details: { policy: "login", key: `k${i}`, limit: 5, windowSeconds: 60 },
                },
                tx,
              ),
            )
          : t.deps.audit.record({
              type: "csrf_rejected",
              outcome: "denied",
              details: { reason: "origin", method: "POST", path: `/p${i}` },
            }),
      ),
    );
    const report = await verifyChain(t.deps.db);
    expect(report.ok).toBe(true);
    expect(report.headSeq).toBe(before + 40);
  });

  it("an event in a transaction that rolls back takes no place in the chain", async () => {
    const before = await readChainHead(t.deps.db);
    await expect(
      t.deps.db.transaction(async (tx) => {
        await t.deps.audit.record({ type: "logout", outcome: "success" }, tx);
        throw new Error("the action failed");
      }),
    ).rejects.toThrow("the action failed");
    expect(await readChainHead(t.deps.db)).toEqual(before);
    expect((await verifyChain(t.deps.db)).ok).toBe(true);
  });

  it("survives a user's deletion: the rows are erased, the chain still verifies", async () => {
    const user = await seedUser(t, { email: "erase-me@example.com" });
    // A row that names the person in its details (the reason an erasure rewrites details).
    await t.deps.audit.record({
      type: "login_failed",
      outcome: "failure",
      actorId: user.id,
      details: { reason: `unknown address ${user.email}` },
    });
    await t.deps.db.transaction(async (tx) => {
      await t.deps.audit.record(
        { type: "user_deleted", outcome: "success", actorId: user.id, targetId: user.id },
        tx,
      );
      await t.deps.users.deleteUser(user.id, tx);
    });
    const report = await verifyChain(t.deps.db);
    expect(report.ok).toBe(true);
    expect(report.erased).toBe(2);
    const left = await t.deps.db.query("SELECT * FROM audit_events WHERE actor_id = $1", [user.id]);
    expect(left).toEqual([]);
    const erasure = await t.deps.db.one<{ target_id: string; details: unknown }>(
      "SELECT target_id, details FROM audit_events WHERE type = 'user_erased'",
    );
    expect(erasure?.target_id).toMatch(/^deleted:/);

    // An attacker hides a change to another row behind that erasure: one mark too many.
    const other = await t.deps.db.one<{ id: string; details: unknown }>(
      "SELECT id, details FROM audit_events WHERE erased IS NULL AND type = 'login_failed' ORDER BY seq LIMIT 1",
    );
    const id = other?.id ?? "";
    const original = JSON.stringify(
      typeof other?.details === "string" ? JSON.parse(other.details) : other?.details,
    );
    await t.deps.db.execute(`UPDATE audit_events SET erased = $1, details = '{}' WHERE id = $2`, [
      erasure?.target_id ?? "",
      id,
    ]);
    const hidden = await verifyChain(t.deps.db);
    expect(hidden.broken?.reason).toContain("marked erased");
    await t.deps.db.execute("UPDATE audit_events SET erased = NULL, details = $1 WHERE id = $2", [
      original,
      id,
    ]);
    expect((await verifyChain(t.deps.db)).ok).toBe(true);
  });

  describe("names the first row changed by hand", () => {
    it.each([
      ["details", 'UPDATE audit_events SET details = \'{"reason":"ok"}\' WHERE id = $1'],
      ["actor", "UPDATE audit_events SET actor_id = 'someone-else' WHERE id = $1"],
      ["outcome", "UPDATE audit_events SET outcome = 'success' WHERE id = $1"],
      ["ip", "UPDATE audit_events SET ip = '198.51.100.1' WHERE id = $1"],
      [
        "time",
        "UPDATE audit_events SET created_at = created_at + INTERVAL '1 second' WHERE id = $1",
      ],
      [
        "erased mark",
        "UPDATE audit_events SET erased = 'deleted:00000000-0000-0000-0000-000000000000', actor_id = NULL WHERE id = $1",
      ],
    ])("%s", async (_what, sql) => {
      const tampered = await createTestApp({ dialect });
      try {
        await recordSome(tampered, 6);
        const id = await rowAt(tampered, 3);
        await tampered.deps.db.execute(sql, [id]);
        const report = await verifyChain(tampered.deps.db);
        expect(report.ok).toBe(false);
        expect(report.broken?.id).toBe(id);
        expect(report.broken?.seq).toBe(3);
      } finally {
        await restoreAndClose(tampered);
      }
    });

    it("a row deleted in the middle, at the end, or inserted", async () => {
      const tampered = await createTestApp({ dialect });
      try {
        await recordSome(tampered, 6);
        const third = await rowAt(tampered, 3);
        const fourth = await rowAt(tampered, 4);
        await tampered.deps.db.execute("DELETE FROM audit_events WHERE id = $1", [third]);
        expect((await verifyChain(tampered.deps.db)).broken).toMatchObject({ id: fourth, seq: 4 });

        const other = await createTestApp({ dialect });
        await recordSome(other, 3);
        const last = await lastRow(other);
        await other.deps.db.execute("DELETE FROM audit_events WHERE id = $1", [last?.id ?? ""]);
        expect((await verifyChain(other.deps.db)).broken).toMatchObject({ id: null });
        await other.deps.db.execute(
          `INSERT INTO audit_events (id, type, outcome, details, created_at)
           VALUES ('forged', 'login_succeeded', 'success', '{}', $1)`,
          [other.clock.now()],
        );
        expect((await verifyChain(other.deps.db)).broken).toMatchObject({ id: "forged" });
        await restoreAndClose(other);
      } finally {
        await restoreAndClose(tampered);
      }
    });
  });

  it("retention deletes the oldest prefix, re-anchors, and the rest still verifies", async () => {
    const r = await createTestApp({ dialect });
    try {
      await recordSome(r, 5, "old");
      r.clock.advance(10 * DAY_MS);
      await recordSome(r, 4, "new");
      const cutoff = new Date(r.clock.now().getTime() - 5 * DAY_MS);
      const headBefore = await readChainHead(r.deps.db);

      const dry = await pruneAuditLog(r.deps.db, { before: cutoff, dryRun: true });
      expect(dry.rows).toBe(5);
      expect(await readChainHead(r.deps.db)).toEqual(headBefore);

      const pruned = await pruneAuditLog(r.deps.db, { before: cutoff, batchSize: 2 });
      expect(pruned).toMatchObject({ rows: 5, anchorSeq: 5 });
      const report = await verifyChain(r.deps.db);
      expect(report).toMatchObject({ ok: true, anchorSeq: 5, rows: headBefore.headSeq - 5 });
      // Nothing old enough is left: a second run deletes nothing.
      expect((await pruneAuditLog(r.deps.db, { before: cutoff })).rows).toBe(0);
      // A row by hand with a seq before the anchor is outside the chain.
      const kept = await rowAt(r, 6);
      await r.deps.db.execute("UPDATE audit_events SET seq = 2 WHERE id = $1", [kept]);
      expect((await verifyChain(r.deps.db)).ok).toBe(false);
      await r.deps.db.execute("UPDATE audit_events SET seq = 6 WHERE id = $1", [kept]);
    } finally {
      await r.close();
    }
  });

  it("retention stops at the first row too new to go, even if older rows follow it", async () => {
    const r = await createTestApp({ dialect });
    try {
      const start = r.clock.now();
      await recordSome(r, 2);
      r.clock.advance(30 * DAY_MS);
      await recordSome(r, 1);
      r.clock.set(start); // a clock stepped back: an old row after a new one
      await recordSome(r, 2);
      const pruned = await pruneAuditLog(r.deps.db, {
        before: new Date(start.getTime() + DAY_MS),
      });
      expect(pruned.rows).toBe(2);
      expect((await verifyChain(r.deps.db)).ok).toBe(true);
    } finally {
      await r.close();
    }
  });

  it("chains rows from before the chain once, and never adopts one later", async () => {
    const r = await createTestApp({ dialect });
    try {
      // An upgraded database: rows written before migration 0014, the chain empty.
      await r.deps.db.execute("DELETE FROM audit_events");
      await r.deps.db.execute(
        "UPDATE audit_chain SET head_seq = 0, head_hash = 'genesis' WHERE id = 1",
      );
      for (const [i, id] of ["legacy-b", "legacy-a"].entries()) {
        await r.deps.db.execute(
          `INSERT INTO audit_events (id, type, outcome, details, created_at)
           VALUES ($1, 'logout', 'success', '{"k":1}', $2)`,
          [id, new Date(r.clock.now().getTime() + i)],
        );
      }
      expect(await chainLegacyRows(r.deps.db)).toBe(2);
      expect(await verifyChain(r.deps.db)).toMatchObject({ ok: true, rows: 2 });
      expect(await rowAt(r, 1)).toBe("legacy-b");

      await r.deps.db.execute(
        `INSERT INTO audit_events (id, type, outcome, details, created_at)
         VALUES ('late', 'logout', 'success', '{}', $1)`,
        [r.clock.now()],
      );
      expect(await chainLegacyRows(r.deps.db)).toBe(0);
      expect((await verifyChain(r.deps.db)).broken?.id).toBe("late");
      await r.deps.db.execute("DELETE FROM audit_events WHERE id = 'late'");
    } finally {
      await r.close();
    }
  });
});

/** Tampered apps: put the chain back in a verifiable state so the harness's own check at close passes. */
async function restoreAndClose(t: TestApp): Promise<void> {
  await t.deps.db.execute("DELETE FROM audit_events");
  await t.deps.db.execute(
    "UPDATE audit_chain SET head_seq = 0, head_hash = 'genesis', anchor_seq = 0, anchor_hash = 'genesis' WHERE id = 1",
  );
  await t.close();
}
