import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { CLIENT_CLOSED_REQUEST, clientGone } from "./http/client-gone.js";
import { requestLog } from "./http/request-log.js";
import { formatWait, retryAfterSeconds } from "./lib/duration.js";
import type { Random } from "./lib/random.js";

// biome-ignore format: a catalog reads best as a table, one code a line
/** Every error code the app can answer with, its status and the text a user sees. */
export const ERROR_CATALOG = {
  BAD_REQUEST:            { status: 400, message: "The request could not be understood. Check the form and try again." },
  UNAUTHORIZED:           { status: 401, message: "Please sign in to continue." },
  FORBIDDEN:              { status: 403, message: "You do not have permission to do that." },
  CSRF_REJECTED:          { status: 403, message: "This form has expired or came from another site. Reload the page and try again." },
  TWO_FACTOR_REQUIRED:    { status: 403, message: "Turn on two-factor authentication to continue." },
  NOT_FOUND:              { status: 404, message: "We could not find that page." },
  METHOD_NOT_ALLOWED:     { status: 405, message: "That method is not allowed here." },
  LINK_INVALID:           { status: 410, message: "This link is invalid, was already used, or has expired. Ask for a new one." },
  PAYLOAD_TOO_LARGE:      { status: 413, message: "The request is too large." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "That content type is not supported here." },
  VALIDATION_FAILED:      { status: 422, message: "Some fields need your attention." },
  RATE_LIMITED:           { status: 429, message: "To protect accounts, requests that come this often are paused for a while." },
  INTERNAL:               { status: 500, message: "Something went wrong on our side. We have logged it and will look into it." },
  SERVICE_UNAVAILABLE:    { status: 503, message: "The service is busy. Please try again shortly." },
  REQUEST_TIMEOUT:        { status: 503, message: "That took too long to answer. Please try again." },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** An expected, typed failure with a stable code; rendered by the one error handler. */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    options: { message?: string; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(options.message ?? ERROR_CATALOG[code].message, { cause: options.cause });
    this.name = "AppError";
    this.status = ERROR_CATALOG[code].status;
    this.headers = options.headers ?? {};
  }
}

export type ResponseKind = "json" | "htmx" | "page";

/** How the client wants an answer: JSON for API callers, a fragment for htmx, else a page. */
export function responseKind(c: Context): ResponseKind {
  if (c.req.header("HX-Request") === "true") return "htmx";
  const accept = c.req.header("Accept") ?? "";
  const contentType = c.req.header("Content-Type") ?? "";
  if (accept.includes("application/json") && !accept.includes("text/html")) return "json";
  if (contentType.startsWith("application/json") && !accept.includes("text/html")) return "json";
  return "page";
}

export interface ErrorView {
  status: ContentfulStatusCode;
  code: ErrorCode | string;
  message: string;
  errorId?: string;
  /** Only outside production: the message and stack of an unexpected error. */
  devDetails?: string;
  /** From the Retry-After header of a 429: how long until the limit lets the client through. */
  retryAfterSeconds?: number;
}

/**
 * What a rate-limited person should do, in words: "Try again in 7 minutes."
 * Only 429s carry it (other Retry-After values are a few seconds, and their
 * messages already say "try again shortly").
 */
export function retryAdvice(
  view: Pick<ErrorView, "status" | "retryAfterSeconds">,
): string | undefined {
  if (view.status !== 429) return undefined;
  return view.retryAfterSeconds === undefined
    ? "Please wait a moment and try again."
    : `Try again in ${formatWait(view.retryAfterSeconds)}.`;
}

export type ErrorPageRenderer = (c: Context, view: ErrorView) => Response | Promise<Response>;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Renders an error as JSON, an htmx fragment or a full page, the same way everywhere. */
export async function renderError(
  c: Context,
  view: ErrorView,
  renderPage: ErrorPageRenderer,
): Promise<Response> {
  const kind = responseKind(c);
  const advice = retryAdvice(view);
  if (kind === "json") {
    return c.json(
      {
        error: {
          code: view.code,
          message: advice ? `${view.message} ${advice}` : view.message,
          errorId: view.errorId,
          retryAfterSeconds: view.retryAfterSeconds,
        },
      },
      view.status,
    );
  }
  if (kind === "htmx") {
    const id = view.errorId
      ? ` <small>Error id: <code>${escapeHtml(view.errorId)}</code></small>`
      : "";
    const text = advice ? `${view.message} ${advice}` : view.message;
    return c.html(
      `<div class="alert alert-error" role="alert">${escapeHtml(text)}${id}</div>`,
      view.status,
    );
  }
  return renderPage(c, view);
}

export function createErrorHandler(options: {
  logger: Logger;
  random: Random;
  isProduction: boolean;
  renderPage: ErrorPageRenderer;
  /** Told of every unexpected 500 (the app audits it as `app_error`); must not throw. */
  onUnexpected?: (c: Context, fault: { errorId: string }) => void;
}): ErrorHandler {
  return async (err, c) => {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return renderError(
        c,
        {
          status: err.status,
          code: err.code,
          message: err.message,
          retryAfterSeconds: retryAfterSeconds(err.headers["Retry-After"]),
        },
        options.renderPage,
      );
    }
    if (err instanceof HTTPException && err.status < 500) {
      const status = err.status as ContentfulStatusCode;
      const code = codeForStatus(status);
      return renderError(
        c,
        { status, code, message: ERROR_CATALOG[code].message },
        options.renderPage,
      );
    }
    const log = requestLog(c, options.logger);
    if (clientGone(c)) {
      // Nobody is left to read an answer; the access log records the 499.
      log.debug({ err: { message: err.message } }, "client closed the connection");
      return new Response(null, { status: CLIENT_CLOSED_REQUEST });
    }
    // Unexpected: log once with the stack under an id the user can quote; never show the stack in production.
    const errorId = options.random.token(9);
    log.error({ err, errorId, requestId: c.get("requestId") }, "unhandled error");
    try {
      options.onUnexpected?.(c, { errorId });
    } catch (hookError) {
      log.error({ err: hookError, errorId }, "error hook failed");
    }
    return renderError(
      c,
      {
        status: 500,
        code: "INTERNAL",
        message: ERROR_CATALOG.INTERNAL.message,
        errorId,
        devDetails: options.isProduction ? undefined : (err.stack ?? String(err)),
      },
      options.renderPage,
    );
  };
}

function codeForStatus(status: number): ErrorCode {
  for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
    if (entry.status === status) return code as ErrorCode;
  }
  return "BAD_REQUEST";
}
