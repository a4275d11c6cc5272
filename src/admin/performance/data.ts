import type { AuditEvent } from "../../audit/audit.js";
import type { FingerprintStats } from "../../db/query-stats.js";
import type { Deps } from "../../deps.js";
import type { PolicyDecisionCount } from "../../ratelimit/types.js";
import type { SessionCacheStats } from "../../sessions/types.js";

/** Rows per query table: enough to find the culprit, short enough to read on a phone. */
export const TOP_QUERIES = 10;

export interface PolicyRow extends PolicyDecisionCount {
  limit: number;
  windowSeconds: number;
}

/** Everything GET /admin/performance shows, gathered by the handler, drawn by view.tsx. */
export interface PerformanceData {
  /** When this instance's counters started (the app's creation). */
  since: Date;
  dialect: "duckdb" | "postgres";
  queries: {
    /** Distinct fingerprints tracked (bounded by QueryStats). */
    fingerprints: number;
    statements: number;
    slowest: FingerprintStats[];
    frequent: FingerprintStats[];
  };
  sessionCache: SessionCacheStats;
  /** "redis" when limits are shared by every instance; the decisions counted here are still this instance's. */
  rateLimitStore: "memory" | "redis";
  policies: PolicyRow[];
  lastMaintenance: AuditEvent | undefined;
  lastCacheClear: AuditEvent | undefined;
}

/** Slowest by p95 (then max), so one unlucky outlier does not outrank a query that is always slow. */
export function slowest(stats: readonly FingerprintStats[], n = TOP_QUERIES): FingerprintStats[] {
  return [...stats].sort((a, b) => b.p95Ms - a.p95Ms || b.maxMs - a.maxMs).slice(0, n);
}

export function mostFrequent(
  stats: readonly FingerprintStats[],
  n = TOP_QUERIES,
): FingerprintStats[] {
  return [...stats].sort((a, b) => b.count - a.count || b.totalMs - a.totalMs).slice(0, n);
}

export async function loadPerformance(
  deps: Deps,
  options: { since: Date; redis: boolean },
): Promise<PerformanceData> {
  // Read before the audit queries below, so the page's own statements are not in its figures.
  const stats = deps.queryStats.snapshot();
  const policies = deps.rateLimiter.decisionCounts().map((row) => {
    const policy = deps.rateLimiter.policies[row.policy];
    return { ...row, limit: policy.limit, windowSeconds: policy.windowMs / 1000 };
  });
  const sessionCache = deps.sessions.cacheStats();
  const [lastMaintenance, lastCacheClear] = await Promise.all([
    deps.audit.list({ type: "maintenance_run", limit: 1 }).then((rows) => rows[0]),
    deps.audit.list({ type: "caches_cleared", limit: 1 }).then((rows) => rows[0]),
  ]);
  return {
    since: options.since,
    dialect: deps.db.dialect,
    queries: {
      fingerprints: stats.length,
      statements: stats.reduce((sum, s) => sum + s.count, 0),
      slowest: slowest(stats),
      frequent: mostFrequent(stats),
    },
    sessionCache,
    rateLimitStore: options.redis ? "redis" : "memory",
    policies,
    lastMaintenance,
    lastCacheClear,
  };
}
