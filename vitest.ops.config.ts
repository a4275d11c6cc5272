import { defineConfig } from "vitest/config";

/**
 * `npm run test:ops`: drills of what an operator does with a release, run in
 * CI as a step of their own after `npm test`: building dist/ with tsc,
 * installing the production dependencies alone (`npm ci --omit=dev`) into a
 * temporary copy, and starting that copy as the container would. The build
 * and install take a minute of CPU on a 2-core machine, which inside
 * `npm test` would slow every other file running beside them.
 */
export default defineConfig({
  test: {
    include: ["test/ops/**/*.test.{ts,tsx}"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    env: { NODE_ENV: "test" },
  },
});
