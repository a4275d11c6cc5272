import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { freePort } from "../net.js";

/** Debian's redis-server: the suites start private ones, never touching the machine's shared server. */
export const REDIS_SERVER = "/usr/bin/redis-server";
export const hasRedisServer = existsSync(REDIS_SERVER);

/**
 * A redis-server of this test's own on a free loopback port, with no
 * persistence, that the test may kill and start again on the same port
 * (the outage the instances must survive). The shared server at 6379 is
 * used by other suites at the same time and is never stopped.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: no goodbye to the clients, as when the machine or the process dies. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(
      REDIS_SERVER,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    child = proc;
    const probe = new Redis(`redis://127.0.0.1:${port}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await waitFor(
        async () => {
          try {
            if (probe.status !== "ready") await probe.connect();
            return (await probe.ping()) === "PONG";
          } catch {
            probe.disconnect();
            return false;
          }
        },
        { timeoutMs: 10_000, what: `redis-server on port ${port}` },
      );
    } finally {
      probe.disconnect();
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((done) => proc.once("exit", done));
      proc.kill("SIGKILL");
      await exited;
    },
    start,
  };
}

/**
 * Polls `check` until it holds (real time: what is measured is how soon
 * another instance notices); returns the milliseconds it took.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; what: string; everyMs?: number },
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > options.timeoutMs) {
      throw new Error(`not within ${options.timeoutMs} ms: ${options.what}`);
    }
    await new Promise((done) => setTimeout(done, options.everyMs ?? 10));
  }
}
