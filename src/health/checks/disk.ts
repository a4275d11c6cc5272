import { statfs } from "node:fs/promises";
import { dirname } from "node:path";
import type { HealthCheck } from "../types.js";

export interface DiskThresholds {
  /** Warn below this much free space, in percent of the filesystem. */
  warnFreePercent: number;
  failFreePercent: number;
  /** Fail below this many free megabytes whatever the percentage (a big disk at 3% is still GBs). */
  failFreeMb: number;
}

/**
 * Free space on the filesystem holding DATA_DIR (DuckDB file, WAL, exports).
 * A full disk makes DuckDB refuse writes; this warns before that. The
 * directory may not exist yet: the nearest existing parent is on the same
 * filesystem it will be created on.
 */
export function diskCheck(deps: {
  dataDir: string;
  thresholds: DiskThresholds;
  timeoutMs: number;
  intervalMs: number;
}): HealthCheck {
  const { thresholds: t } = deps;
  return {
    name: "disk",
    critical: false,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    async run() {
      const stats = await statExisting(deps.dataDir);
      const freeBytes = stats.bavail * stats.bsize;
      const totalBytes = stats.blocks * stats.bsize;
      const freePercent = totalBytes > 0 ? (freeBytes / totalBytes) * 100 : 0;
      const freeMb = freeBytes / 1024 / 1024;
      const message = `${Math.round(freeMb)} MB free (${freePercent.toFixed(1)}%)`;
      const observed = Math.round(freePercent * 10) / 10;
      if (freePercent < t.failFreePercent || freeMb < t.failFreeMb) {
        return { status: "fail", message, observed };
      }
      if (freePercent < t.warnFreePercent) return { status: "warn", message, observed };
      return { status: "ok", message, observed };
    },
  };
}

async function statExisting(path: string) {
  let current = path;
  for (;;) {
    try {
      return await statfs(current);
    } catch (error) {
      const parent = dirname(current);
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent === current) throw error;
      current = parent;
    }
  }
}
