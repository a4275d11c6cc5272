import type { Config } from "./config/env.js";
import { isLoopbackHost } from "./security/csrf-origin.js";

const WILDCARD = new Set(["0.0.0.0", "[::]"]);

export interface ListeningReport {
  /** The one URL the start log prints: APP_URL, the address whose forms pass the CSRF origin check. */
  url: string;
  /** The socket address, host:port without a scheme, so nobody mistakes it for a second URL to open. */
  bind: string;
  /** Development only: APP_URL names this machine but cannot reach the socket (another port, say). */
  warning?: string;
}

/**
 * What the start log says. It used to print the socket address
 * (http://127.0.0.1:8000) as the URL while APP_URL was http://localhost:8000,
 * and forms opened at the printed address were refused as cross-origin: print
 * APP_URL only, and say so in development when it cannot be right.
 */
export function describeListening(
  config: Pick<Config, "appUrl" | "isDevelopment">,
  serverUrl: string,
): ListeningReport {
  const socket = new URL(serverUrl);
  const bind = socket.host;
  const report: ListeningReport = { url: config.appUrl, bind };
  if (!config.isDevelopment) return report;
  const app = new URL(config.appUrl);
  // A non-loopback APP_URL is served through a proxy or DNS we cannot see: nothing to check.
  if (!isLoopbackHost(app.hostname)) return report;
  const appPort = app.port || (app.protocol === "https:" ? "443" : "80");
  const reachable =
    appPort === socket.port && (isLoopbackHost(socket.hostname) || WILDCARD.has(socket.hostname));
  if (reachable) return report;
  return {
    ...report,
    warning: `APP_URL is ${config.appUrl} but this server listens on ${bind}: a browser opening APP_URL will not reach it, and forms opened at ${bind} are refused as another origin. Set APP_URL=http://localhost:${socket.port}, or PORT=${appPort}.`,
  };
}
