import type {} from "hono";
import type { Logger } from "pino";

export type Theme = "light" | "dark" | "system";

/** Per-request values set by the app's middleware and read by routes and views. */
declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
    /** Child logger carrying the request id, made on first use: read it with requestLog(c). */
    log: Logger | undefined;
    /** Theme from the `theme` cookie; "system" follows prefers-color-scheme. */
    theme: Theme;
    /** CSP nonce for this response (>= 128 bits); every inline script/style must carry it. */
    cspNonce: string;
    /** Id of the signed-in user, when known; used by the access log. */
    userId: string | undefined;
  }
}
