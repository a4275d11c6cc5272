import type { Context } from "hono";

/**
 * The status logged and counted for a request whose client went away before
 * the answer: nginx's "client closed request". Not a server error, so it
 * never lands among the 5xx that alerts and error budgets watch.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * Whether the client disconnected before its response was written.
 *
 * @hono/node-server aborts the request's signal when the connection closes
 * early; reading the rest of the body then fails with "aborted". That failure
 * is the client's decision, not our bug. The signal is the test, never the
 * error's text: an ECONNRESET from a provider or the mail server is a real
 * failure of ours and must stay a 5xx.
 */
export function clientGone(c: Context): boolean {
  // Under @hono/node-server the node response says it without building the request's
  // AbortSignal, which reading `signal` would do on every request (4% of /healthz).
  const outgoing = (c.env as { outgoing?: NodeResponse } | undefined)?.outgoing;
  if (outgoing !== undefined && typeof outgoing.destroyed === "boolean") {
    return outgoing.destroyed && !outgoing.writableFinished;
  }
  return c.req.raw.signal?.aborted === true;
}

/** What clientGone reads of node's ServerResponse (HttpBindings' `outgoing`). */
interface NodeResponse {
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
}
