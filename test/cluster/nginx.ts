import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../net.js";

/** Debian's nginx, installed by .ci/run when missing; never started as a system service. */
export const NGINX = "/usr/sbin/nginx";

export function nginxAvailable(): boolean {
  return existsSync(NGINX);
}

export interface Nginx {
  url: string;
  port: number;
  child: ChildProcess;
  /** error.log and access.log (one line per request with the upstream that served it). */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The reverse proxy in front of the instances, configured as docs tell an
 * operator to, on loopback ports:
 * - X-Forwarded-For: `$proxy_add_x_forwarded_for` appends the address nginx
 *   saw to whatever the client sent. The app trusts only its proxy's socket
 *   (TRUST_PROXY=127.0.0.1) and walks the header from the right, so the
 *   rightmost entry, written by nginx, is the client; anything a client
 *   forged sits to its left and is never reached. (Replacing the header with
 *   `$remote_addr` would work as well; appending is the common idiom and
 *   the harder case for the app.)
 * - Round robin; `proxy_next_upstream error timeout` retries a request on the
 *   next instance when the connection fails, which for a non-idempotent
 *   request (POST) nginx does only if nothing was sent yet: a POST in flight
 *   when its instance dies is answered 502, never replayed.
 * - `X-Upstream` names the instance that answered, so tests can see the spread.
 * Own prefix, pid, logs and temp paths in `dir`; `daemon off` keeps it our child.
 */
export async function startNginx(options: {
  dir: string;
  upstreams: readonly number[];
  /** A port chosen by the caller (the bench keeps APP_URL's origin); a free one otherwise. */
  port?: number;
  /**
   * The bench's proxy: no access log (it would measure the disk, not the app)
   * and a larger keep-alive pool for 50 connections. The tests keep the log.
   */
  forBench?: boolean;
}): Promise<Nginx> {
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const accessLog = options.forBench
    ? "access_log off;"
    : `access_log ${join(dir, "access.log")} upstream;`;
  const conf = join(dir, "nginx.conf");
  const servers = options.upstreams
    .map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`)
    .join("\n");
  // Started as root, nginx hands the workers to "nobody", who could not
  // write the temp paths in our private directory.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  writeFileSync(
    conf,
    `${user}worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 512; }
http {
  log_format upstream '$remote_addr "$request" $status upstream=$upstream_addr xff="$http_x_forwarded_for"';
  ${accessLog}
  client_body_temp_path ${join(dir, "client_body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  # A 1000-entry X-Forwarded-For must reach the app (the bad-input cases), not stop here.
  large_client_header_buffers 4 32k;
  upstream bastion {
${servers}
    keepalive ${options.forBench ? 64 : 16};
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bastion;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`,
  );
  // A config error is reported here in nginx's words rather than as a port that never opens.
  execFileSync(NGINX, ["-t", "-q", "-c", conf, "-p", dir, "-g", "daemon off;"], {
    stdio: "pipe",
  });
  const child = spawn(NGINX, ["-c", conf, "-p", dir, "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += String(d)));
  child.stderr?.on("data", (d) => (output += String(d)));
  const exited = new Promise<void>((done) => child.on("exit", () => done()));
  const url = `http://127.0.0.1:${port}`;
  const read = (name: string) => {
    const path = join(dir, name);
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  };
  return {
    url,
    port,
    child,
    logs: () =>
      `--- nginx output\n${output}--- error.log\n${read("error.log")}--- access.log\n${read("access.log")}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGQUIT"); // graceful: finishes the requests in flight, then exits
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
