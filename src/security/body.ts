import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors.js";

/**
 * Request hygiene guards. Both are mounted early so no later middleware
 * (CSRF reading the form, a handler parsing JSON) ever buffers an oversized
 * body or keeps a connection waiting forever.
 */

/**
 * Rejects bodies over `maxBytes` with 413, rendered by the app's error
 * handler (page, fragment or JSON like every other error).
 *
 * hono/body-limit fits: with a Content-Length it refuses before reading a
 * byte; without one (chunked) it counts while reading and stops at the limit,
 * so a lying client cannot make us buffer more than `maxBytes`.
 */
export function bodyLimitGuard(options: { maxBytes: number }): MiddlewareHandler {
  if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1) {
    throw new Error("bodyLimitGuard: maxBytes must be a positive integer");
  }
  const limit = bodyLimit({
    maxSize: options.maxBytes,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE");
    },
  });
  return function bodyLimitGuard(c, next) {
    // A web Request never has a GET or HEAD body, so hono/body-limit lets them through
    // anyway; asking it would first build that Request (body stream, AbortSignal) on every
    // page view, about a fifth of a small page's time. Same answer, decided by the method.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    return limit(c, next);
  };
}

/**
 * Answers 503 REQUEST_TIMEOUT (with Retry-After) when the rest of the chain
 * has not produced a response within `timeoutMs`, so a stuck dependency
 * holds a client for a bounded time. 503 rather than 504: we are the origin,
 * not a gateway, and the condition is temporary.
 *
 * Our own instead of hono/timeout, which only accepts an HTTPException
 * (rendered as a bare 5xx by our onError) rather than a catalogued AppError.
 * Like any JS timeout it cannot cancel the handler: the late work finishes in
 * the background and its result is discarded.
 */
export function requestTimeout(options: {
  timeoutMs: number;
  retryAfterSeconds?: number;
}): MiddlewareHandler {
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1) {
    throw new Error("requestTimeout: timeoutMs must be a positive integer");
  }
  const { timeoutMs } = options;
  const headers = { "Retry-After": String(options.retryAfterSeconds ?? 5) };
  // One promise settled by whichever comes first, rather than an async function racing a
  // second "expired" promise: same outcome (a late result or error of the chain is ignored,
  // the timer is always cleared), with fewer promises and no race on every request.
  return function requestTimeoutGuard(_c, next) {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AppError("REQUEST_TIMEOUT", { headers })),
        timeoutMs,
      );
      let chain: Promise<void>;
      try {
        chain = next();
      } catch (error) {
        clearTimeout(timer);
        throw error;
      }
      chain.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
}
