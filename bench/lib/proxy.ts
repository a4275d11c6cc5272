/**
 * nginx in front of several app instances, for the multi-instance scenario:
 * the multi-instance tests' own starter (test/cluster/nginx.ts: Debian's
 * nginx as our child with a private prefix, configured as
 * docs/deployment.md tells an operator to), without its access log, and
 * waited for until it proxies a /healthz.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NGINX, startNginx as startClusterNginx } from "../../test/cluster/nginx.js";
import { track } from "./app.js";

export interface RunningProxy {
  url: string;
  /** The master's pid; its worker is its child. */
  pid: number;
  stop(): Promise<void>;
}

export function nginxProblem(): string | undefined {
  return existsSync(NGINX) ? undefined : `${NGINX} is not installed (apt-get install nginx-light)`;
}

export async function startNginx(options: {
  dir: string;
  port: number;
  upstreams: readonly number[];
}): Promise<RunningProxy> {
  const nginx = await startClusterNginx({ ...options, forBench: true });
  track(nginx.child);
  const deadline = performance.now() + 10_000;
  for (;;) {
    if (nginx.child.exitCode !== null) throw new Error(`nginx exited: ${errorLog(options.dir)}`);
    try {
      const res = await fetch(`${nginx.url}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      throw new Error(`nginx did not answer: ${errorLog(options.dir)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: nginx.url, pid: nginx.child.pid ?? 0, stop: () => nginx.stop() };
}

function errorLog(dir: string): string {
  const path = join(dir, "error.log");
  return existsSync(path) ? readFileSync(path, "utf8").slice(-2000) : "(no error.log)";
}
