import type { Context } from "hono";
import type { Logger } from "pino";
import { type Audit, withRequest } from "./audit.js";

/** Runs work once the response exists (deps.background; jobs/background.ts). */
interface AfterResponse {
  afterResponse(c: Context): (name: string, task: () => Promise<unknown>) => void;
}

/**
 * The error handler's hook for an unexpected 500 (errors.ts): an `app_error`
 * record naming the path, the request id and the error id the page shows,
 * nothing from the error itself (its message or stack may quote input; the
 * log line under the same error id has them). Written after the response,
 * so a database that is the cause of the 500 cannot also delay its page.
 */
export function appErrorAudit(deps: { audit: Audit; background: AfterResponse }) {
  return (c: Context, fault: { errorId: string }): void => {
    const input = withRequest(c, {
      type: "app_error",
      outcome: "failure",
      details: {
        errorCode: "INTERNAL",
        method: c.req.method,
        path: c.req.path,
        requestId: c.get("requestId") ?? null,
        errorId: fault.errorId,
      },
    });
    deps.background.afterResponse(c)("audit app_error", () => deps.audit.record(input));
  };
}

/**
 * `app_stopped`, as the last write before the database closes (main.ts). A
 * failure is logged: the stop goes on, and the log says the record is missing.
 */
export async function recordAppStopped(
  deps: { audit: Pick<Audit, "record">; logger: Logger },
  details: { env: string; signal?: string },
): Promise<void> {
  try {
    await deps.audit.record({ type: "app_stopped", outcome: "info", details });
  } catch (err) {
    deps.logger.warn({ err }, "audit of the stop failed");
  }
}
