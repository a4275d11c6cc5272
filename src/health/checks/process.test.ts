import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diskCheck } from "./disk.js";
import { eventLoopCheck } from "./event-loop.js";
import { memoryCheck } from "./memory.js";

/** The checks of this process and machine: disk under DATA_DIR, memory, event-loop delay. */
const every = { timeoutMs: 2000, intervalMs: 60_000 };
const signal = new AbortController().signal;
const dir = mkdtempSync(join(tmpdir(), "bastion-health-disk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("disk check", () => {
  const run = (thresholds: Parameters<typeof diskCheck>[0]["thresholds"], dataDir = dir) =>
    diskCheck({ dataDir, thresholds, ...every }).run(signal);

  it("reports the free space of DATA_DIR's filesystem against percent and MB thresholds", async () => {
    const ok = await run({ warnFreePercent: 0, failFreePercent: 0, failFreeMb: 0 });
    expect(ok.status).toBe("ok");
    expect(ok.message).toMatch(/^\d+ MB free \(\d+\.\d%\)$/);
    expect(ok.observed).toBeGreaterThan(0);
    expect((await run({ warnFreePercent: 100, failFreePercent: 0, failFreeMb: 0 })).status).toBe(
      "warn",
    );
    expect((await run({ warnFreePercent: 100, failFreePercent: 100, failFreeMb: 0 })).status).toBe(
      "fail",
    );
    // The MB floor alone fails it, whatever the percentage.
    expect(
      (await run({ warnFreePercent: 0, failFreePercent: 0, failFreeMb: 1_000_000_000 })).status,
    ).toBe("fail");
  });

  it("measures the filesystem a DATA_DIR not created yet will live on", async () => {
    const result = await run(
      { warnFreePercent: 0, failFreePercent: 0, failFreeMb: 0 },
      join(dir, "not", "yet", "here"),
    );
    expect(result.status).toBe("ok");
  });
});

describe("memory check", () => {
  const limits = { rssWarnMb: 100, rssFailMb: 200, heapWarnPercent: 80, heapFailPercent: 90 };
  const figures = (rssMb: number, heapPercent: number) => () => ({
    rssBytes: rssMb * 1024 * 1024,
    heapUsedBytes: heapPercent * 1024 * 1024,
    heapLimitBytes: 100 * 1024 * 1024,
  });
  const run = (read: ReturnType<typeof figures>) =>
    memoryCheck({ thresholds: limits, read, ...every }).run(signal);

  it("judges RSS and heap, the worse of the two deciding", async () => {
    expect(await run(figures(50, 10))).toEqual({
      status: "ok",
      message: "RSS 50 MB, heap 10% of its limit",
      observed: 50,
    });
    expect((await run(figures(150, 10))).status).toBe("warn");
    expect((await run(figures(50, 85))).status).toBe("warn");
    expect((await run(figures(250, 10))).status).toBe("fail");
    expect((await run(figures(50, 95))).status).toBe("fail");
  });

  it("reads this process's real figures by default", async () => {
    const result = await memoryCheck({
      thresholds: {
        rssWarnMb: 1_000_000,
        rssFailMb: 1_000_000,
        heapWarnPercent: 100,
        heapFailPercent: 100,
      },
      ...every,
    }).run(signal);
    expect(result.status).toBe("ok");
    expect(result.observed).toBeGreaterThan(10);
  });
});

describe("event-loop check", () => {
  it("reports the p99 delay since its last run, and a blocked loop as a failure", async () => {
    const check = eventLoopCheck({ warnMs: 40, failMs: 100, ...every });
    check.start?.();
    try {
      await sleep(60);
      const calm = await check.run(signal);
      // A shared CI machine may be busy: calm means "not failing", not necessarily ok.
      expect(calm.status).not.toBe("fail");
      expect(calm.message).toMatch(/^p99 [\d.]+ ms, max [\d.]+ ms$/);
      // Block the loop for 200 ms, as a synchronous hash or a huge JSON.parse would.
      await sleep(30);
      const until = performance.now() + 200;
      while (performance.now() < until) {
        /* busy */
      }
      await sleep(30);
      const blocked = await check.run(signal);
      expect(blocked.status).toBe("fail");
      expect(blocked.observed).toBeGreaterThanOrEqual(100);
      // The histogram was reset: the next interval is judged on its own.
      await sleep(60);
      expect((await check.run(signal)).status).not.toBe("fail");
    } finally {
      check.stop?.();
    }
  });

  it("says it is measuring when run before any sample", async () => {
    const check = eventLoopCheck({ warnMs: 20, failMs: 60, ...every });
    try {
      expect(await check.run(signal)).toEqual({
        status: "ok",
        message: "measuring (no samples yet)",
      });
    } finally {
      check.stop?.();
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
