import { defineConfig } from "vitest/config";

/**
 * Budgets for a 2-core machine that is busy with other work (see issue 9).
 *
 * - pool "forks": DuckDB and argon2 are native addons; a child process keeps a native
 *   crash to one worker and lets the heap flag below apply.
 * - maxWorkers 2: one per core. vitest's default on 2 cores is 1 (cores - 1), which
 *   runs every file in turn although most of a test's time is spent waiting on
 *   PostgreSQL, Redis or a socket; a second worker fills those waits.
 * - isolate false: each worker loads the app's modules once and runs its files one
 *   after another in the same process. With a fresh process per file, starting the
 *   fork and importing the app took longer than many files' tests (20 small files:
 *   173 s isolated, 81 s shared, at a load average of 23). The code allows it: the app
 *   keeps no module-level state (metrics registries, caches and DuckDB databases are
 *   per app), every test file builds its own apps and closes them.
 * - --max-old-space-size=1024: a worker's JS heap peaked at 167 MB over the whole
 *   suite (--logHeapUsage); 1 GiB per worker is headroom, and a leak fails that worker
 *   with a heap error instead of pushing a shared machine into swap or the OOM killer.
 *   DuckDB's native memory is bounded per database by the harness (threads 1, a small
 *   memory_limit).
 * - Timeouts are hang guards, not speed assertions: on a loaded machine a single
 *   test that builds several apps can take tens of seconds (up to 20 s was seen at a
 *   load average of 20), so 60 s only catches what would never finish.
 */
export default defineConfig({
  test: {
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    exclude: ["test/e2e/**", "test/scale/**", "test/ops/**", "node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    isolate: false,
    execArgv: ["--max-old-space-size=1024"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    env: { NODE_ENV: "test" },
    coverage: {
      provider: "v8",
      include: ["src/**/*.{ts,tsx}"],
      exclude: ["src/**/*.test.{ts,tsx}", "src/**/*.contract.ts", "src/main.ts", "src/cli/main.ts"],
      reporter: ["text-summary", "text", "html"],
      // Print the summary even when a test fails: a red run is when it is needed most.
      reportOnFailure: true,
      thresholds: { lines: 90, branches: 80 },
    },
  },
});
