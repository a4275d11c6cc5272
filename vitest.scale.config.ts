import { defineConfig } from "vitest/config";

/**
 * `npm run test:scale`: tests that measure at the sizes the issues name (a
 * 1,000,000-row audit export in constant memory). They take minutes, not
 * seconds, so they run in CI as a step of their own, not in `npm test`.
 * They print what they measured; none asserts on speed.
 */
export default defineConfig({
  test: {
    include: ["test/scale/**/*.test.{ts,tsx}"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    execArgv: ["--max-old-space-size=1024"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: "test" },
  },
});
