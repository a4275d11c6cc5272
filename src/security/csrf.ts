import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { Counter } from "prom-client";
import type { AuditRecorder } from "../audit/audit.js";
import type { Config } from "../config/env.js";
import { AppError, responseKind } from "../errors.js";
import { clientGone } from "../http/client-gone.js";
import { requestLog } from "../http/request-log.js";
import { counterOnce, type Metrics } from "../monitoring/metrics.js";
import { createClientIp } from "./client-ip.js";
import { acceptedOrigins, type CsrfRejectReason, explainRejection } from "./csrf-origin.js";
// The service also declares the guard's context variables (`csrfToken`), which views read.
import type { CsrfService } from "./csrf-service.js";
import { CSP_REPORT_PATH } from "./headers.js";

export type { CsrfRejectReason } from "./csrf-origin.js";

const REASONS: readonly CsrfRejectReason[] = [
  "cross_site",
  "origin_mismatch",
  "missing_token",
  "invalid_token",
];

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

/**
 * The app's exemptions, kept short and visible: browsers post CSP violation
 * reports with no page context (no token, often no Origin), and the endpoint
 * only logs and counts. test/flows/route-table.test.ts fails on any other
 * unsafe route that answers without a token.
 */
export const CSRF_EXEMPT_PATHS: readonly string[] = [CSP_REPORT_PATH];

/** Methods that must never change state (asserted by test/flows/route-table.test.ts). */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

export interface CsrfOptions {
  deps: {
    config: Config;
    csrf: CsrfService;
    audit: AuditRecorder;
    metrics: Metrics;
    logger: Logger;
  };
  /**
   * Exact paths that skip both layers: only endpoints that browsers post
   * without any page context (e.g. CSP reports) and that change no user state.
   */
  exemptPaths?: readonly string[];
}

/**
 * CSRF guard, two layers.
 *
 * Layer 1 (every method except GET/HEAD/OPTIONS, whatever the content type,
 * JSON included, since `fetch` with `mode: "no-cors"` or a text/plain form can
 * still reach us): reject `Sec-Fetch-Site: cross-site`, and any `Origin` that
 * is not APP_URL's origin or a TRUSTED_ORIGINS entry (`Origin: null`, sent by
 * sandboxed frames and some redirects, is rejected; development also accepts
 * the other loopback spellings, see csrf-origin.ts). Browsers too old to send
 * either header fall through to layer 2.
 *
 * Layer 2: a synchronizer token (see csrf-token.ts) from `X-CSRF-Token` or the
 * form field `_csrf`, checked against the visitor's secret. This covers what
 * layer 1 cannot: same-site but cross-origin attackers (a sibling subdomain)
 * and clients that strip Origin.
 *
 * Every request also gets `c.var.csrfToken`. A visitor without a secret gets
 * one minted, persisted only if the response is an HTML page or fragment (the
 * only place a token can be rendered), so JSON, redirects and static files
 * never set a cookie. Where secrets live, and how login and logout change
 * them, is `deps.csrf` (csrf-service.ts).
 *
 * A refusal is a generic 403 in production; in development its message names
 * the cause (which origin, which missing piece) so a newcomer can fix it.
 */
export function csrfProtection(options: CsrfOptions): MiddlewareHandler {
  const { config, csrf, audit, logger } = options.deps;
  const allowedOrigins = acceptedOrigins(config);
  const exempt = new Set(options.exemptPaths ?? []);
  const resolveIp = createClientIp(config.security.trustProxy);
  const rejections = rejectionCounter(options.deps.metrics.registry);

  const layerOne = (c: Context): CsrfRejectReason | undefined => {
    if (c.req.header("Sec-Fetch-Site") === "cross-site") return "cross_site";
    const origin = c.req.header("Origin");
    if (origin !== undefined && !allowedOrigins.has(origin)) return "origin_mismatch";
    return undefined;
  };

  const layerTwo = async (
    c: Context,
    secret: string | undefined,
  ): Promise<CsrfRejectReason | undefined> => {
    const submitted = await submittedToken(c);
    if (submitted === undefined || submitted === "") return "missing_token";
    if (secret === undefined || !csrf.tokens.verify(secret, submitted)) return "invalid_token";
    return undefined;
  };

  const reject = async (
    c: Context,
    reason: CsrfRejectReason,
    hadSecret: boolean,
  ): Promise<never> => {
    rejections.inc({ reason });
    try {
      await audit.record({
        type: "csrf_rejected",
        outcome: "denied",
        ip: c.get("clientIp") ?? resolveIp(c),
        userAgent: c.req.header("User-Agent") ?? null,
        requestId: c.get("requestId") ?? null,
        details: { reason, method: c.req.method, path: c.req.path },
      });
    } catch (err) {
      // The rejection must stand even when the audit write fails.
      requestLog(c, logger).error({ err }, "audit csrf_rejected failed");
    }
    if (!config.isDevelopment) throw new AppError("CSRF_REJECTED");
    const origin = c.req.header("Origin");
    throw new AppError("CSRF_REJECTED", {
      message: explainRejection({ reason, origin, hadSecret }, config),
    });
  };

  return async function csrfGuard(c, next) {
    if (exempt.has(c.req.path)) return next();

    const existing = csrf.begin(c);

    if (!SAFE_METHODS.has(c.req.method)) {
      const reason = layerOne(c) ?? (await layerTwo(c, existing));
      if (reason) {
        // The 403 page renders forms too (theme switcher): give a cookie-less visitor a working secret.
        if (responseKind(c) !== "json") csrf.saveDrawn(c);
        await reject(c, reason, existing !== undefined);
      }
    }

    await next();

    if (isHtml(c.res)) csrf.saveDrawn(c);
  };
}

/** The header wins; otherwise the form field. JSON bodies are not read: JSON callers send the header. */
async function submittedToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header !== undefined) return header;
  const mediaType = c.req.header("Content-Type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!FORM_TYPES.has(mediaType)) return undefined;
  try {
    // parseBody caches the parsed form, so the handler can still read the body afterwards.
    const value = (await c.req.parseBody({ all: true }))[CSRF_FIELD];
    // A repeated or file-valued field is not a token: no guessing which copy to trust.
    return typeof value === "string" ? value : undefined;
  } catch (error) {
    // A client that hung up mid-body forged nothing: let the app log it as a 499, unaudited.
    if (clientGone(c)) throw error;
    return undefined; // malformed multipart: no readable token
  }
}

function isHtml(res: Response): boolean {
  return (res.headers.get("Content-Type") ?? "").toLowerCase().startsWith("text/html");
}

/** One counter per registry: two guards on one app (or two apps sharing nothing) never clash. */
function rejectionCounter(registry: Metrics["registry"]): Counter<"reason"> {
  return counterOnce(
    registry,
    {
      name: "csrf_rejections_total",
      help: "Requests rejected by the CSRF guard, by reason",
      labelNames: ["reason"],
    },
    // Every reason from zero: the metric is visible before the first attack.
    { zeroSeries: REASONS.map((reason) => ({ reason })) },
  );
}
