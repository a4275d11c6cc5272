import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "pino";
import { CLIENT_CLOSED_REQUEST, clientGone } from "../http/client-gone.js";
import { editResponseHeaders } from "../http/response-headers.js";
import { monotonicMs } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import type { Metrics } from "./metrics.js";

/** A client-supplied request id is kept only when it is a short, log-safe token. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function acceptRequestId(header: string | undefined, random: Random): string {
  return header && SAFE_REQUEST_ID.test(header) ? header : random.uuid();
}

/**
 * Route label for logs and metrics: the matched pattern, never the raw path,
 * so ids in URLs neither leak into logs nor explode metric cardinality.
 */
function routeLabel(pattern: string): string {
  return pattern === "" || pattern === "*" || pattern === "/*" ? "(unmatched)" : pattern;
}

/**
 * First middleware of the app: request id, a child logger, and, once the
 * response is known, one access-log line and the HTTP metrics.
 */
export function requestContext(deps: {
  logger: Logger;
  random: Random;
  metrics: Metrics;
}): MiddlewareHandler {
  // The access line's fields are fixed here (no header, body or form ever reaches it), so
  // it skips the redaction pass every other line gets: a tenth of /healthz's CPU time.
  const accessLog = deps.logger.child({}, { redact: { paths: [] } });
  return async function requestContextMiddleware(c, next) {
    const started = monotonicMs();
    const requestId = acceptRequestId(c.req.header("X-Request-Id"), deps.random);
    c.set("requestId", requestId);
    c.set("userId", undefined);
    try {
      await next();
    } finally {
      editResponseHeaders(c, (headers) => headers.set("X-Request-Id", requestId));
      const durationMs = monotonicMs() - started;
      const route = routeLabel(routePath(c));
      // A client that left before its answer gets 499, whatever the handler made of it.
      const status = clientGone(c) ? CLIENT_CLOSED_REQUEST : c.res.status;
      deps.metrics.httpRequestsTotal.inc({ method: c.req.method, route, status: String(status) });
      deps.metrics.httpRequestDurationSeconds.observe(
        { method: c.req.method, route },
        durationMs / 1000,
      );
      // 499 at debug: routine (a closed tab), and never worth an operator's attention.
      const level = status === CLIENT_CLOSED_REQUEST ? "debug" : status >= 500 ? "warn" : "info";
      accessLog[level](
        {
          requestId,
          method: c.req.method,
          route,
          status,
          durationMs: Math.round(durationMs * 100) / 100,
          userId: c.get("userId"),
        },
        "request",
      );
    }
  };
}
