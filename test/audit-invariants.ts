import { verifyChain } from "../src/audit/verify.js";
import type { Db } from "../src/db/db.js";

/**
 * Run by every test app's close (harness.ts): whatever the test did through
 * the app, its audit log must still verify. Over the whole suite this is
 * `audit verify` after every flow on both engines.
 *
 * Skipped for an app whose rows were seeded by hand (rows with no place in
 * the chain: view tests insert thousands of events in one statement), and for
 * a database the test already closed or broke on purpose (nothing to read).
 */
export async function assertAuditChainIntact(db: Db): Promise<void> {
  let seeded: number;
  try {
    const row = await db.one<{ n: number }>(
      "SELECT count(*) AS n FROM audit_events WHERE seq IS NULL",
    );
    seeded = Number(row?.n ?? 0);
  } catch {
    return;
  }
  if (seeded > 0) return;
  const report = await verifyChain(db);
  if (!report.ok) {
    throw new Error(
      `the audit chain of this test app does not verify at close: ${JSON.stringify(report.broken)}`,
    );
  }
}
