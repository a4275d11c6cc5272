import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { Logger } from "pino";

export interface RunningServer {
  /** Base URL the server listens on, e.g. http://127.0.0.1:8000 */
  url: string;
  port: number;
  /**
   * Graceful stop: refuse new connections, let in-flight requests finish for
   * up to `timeoutMs`, then cut whatever is left. Resolves once the socket is closed.
   */
  close(timeoutMs: number): Promise<{ forced: boolean }>;
}

export function startServer(options: {
  app: Hono;
  host: string;
  port: number;
  logger?: Logger;
}): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: options.app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: (timeoutMs) =>
            new Promise((done) => {
              let forced = false;
              const timer = setTimeout(() => {
                forced = true;
                options.logger?.warn(
                  { timeoutMs },
                  "shutdown timeout reached; closing remaining connections",
                );
                if ("closeAllConnections" in server) server.closeAllConnections();
              }, timeoutMs);
              timer.unref();
              // Keep-alive sockets turn idle once their in-flight response is written; close them as
              // they do, or close() would wait for the keep-alive timeout of every client.
              const closeIdle = () => {
                if ("closeIdleConnections" in server) server.closeIdleConnections();
              };
              const sweeper = setInterval(closeIdle, 50);
              server.close(() => {
                clearTimeout(timer);
                clearInterval(sweeper);
                done({ forced });
              });
              closeIdle();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
