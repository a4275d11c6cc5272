import type { Context } from "hono";
import type { Logger } from "pino";
import "./context.js";

/**
 * The logger for request `c`: `logger` with the request id bound, made on
 * first use and kept for the rest of the request. Most requests never log
 * anything but their access line, and a pino child costs as much to make as
 * the rest of a small request's middleware (its bindings go through the
 * redaction pass), so none is made up front.
 */
export function requestLog(c: Context, logger: Logger): Logger {
  const made = c.get("log");
  if (made !== undefined) return made;
  const requestId: string | undefined = c.get("requestId");
  if (requestId === undefined) return logger;
  const log = logger.child({ requestId });
  c.set("log", log);
  return log;
}
