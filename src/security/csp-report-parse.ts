import { AppError } from "../errors.js";

/**
 * Reading a CSP report body: size-capped while streaming, both wire formats
 * (report-uri and the Reporting API), every field bounded and stripped of
 * query strings. Pure apart from reading the request stream; the route
 * (csp-report.ts) decides what to count and audit.
 */

/** Browsers batch a handful of reports; anything beyond this in one body is noise. */
const MAX_REPORTS_PER_BODY = 20;
const MAX_FIELD_CHARS = 200;
/** Metric label values are only these names (plus "other"), so a client cannot explode cardinality. */
const KNOWN_DIRECTIVES = new Set([
  "default-src",
  "script-src",
  "script-src-elem",
  "script-src-attr",
  "style-src",
  "style-src-elem",
  "style-src-attr",
  "img-src",
  "font-src",
  "connect-src",
  "media-src",
  "object-src",
  "frame-src",
  "child-src",
  "worker-src",
  "manifest-src",
  "base-uri",
  "form-action",
  "frame-ancestors",
  "sandbox",
  "require-trusted-types-for",
  "trusted-types",
]);

/** Non-URL values browsers put in blocked-uri. */
const BLOCKED_KEYWORDS = /^(inline|eval|wasm-eval|self|data|blob|trusted-types-(sink|policy))$/;

export interface CspViolation {
  /** A KNOWN_DIRECTIVES name or "other". */
  directive: string;
  /** Origin and path only, or a keyword such as "inline"; never a query string. */
  blockedUri: string;
  /** Path only: the query string of the page may hold tokens (reset links, OAuth codes). */
  documentPath: string;
  disposition: "enforce" | "report";
}

/**
 * Reads at most `maxBytes` of the body, counting while streaming, so a client
 * that lies about (or omits) Content-Length cannot make us buffer more.
 */
export async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  if (declared > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE");
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AppError("PAYLOAD_TOO_LARGE");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** Both wire formats to a list of violations; undefined when the body is not a report at all. */
export function parseReports(body: Uint8Array): CspViolation[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  // report-uri format: { "csp-report": { "violated-directive": ..., "blocked-uri": ... } }
  if (isObject(json) && isObject(json["csp-report"])) {
    const r = json["csp-report"];
    return [
      violation({
        directive: r["effective-directive"] ?? r["violated-directive"],
        blocked: r["blocked-uri"],
        document: r["document-uri"],
        disposition: r.disposition,
      }),
    ];
  }
  // Reporting API format: [{ "type": "csp-violation", "body": { "effectiveDirective": ... } }, ...]
  if (Array.isArray(json)) {
    const out: CspViolation[] = [];
    for (const entry of json.slice(0, MAX_REPORTS_PER_BODY)) {
      if (!isObject(entry) || entry.type !== "csp-violation" || !isObject(entry.body)) continue;
      const b = entry.body;
      out.push(
        violation({
          directive: b.effectiveDirective ?? b.violatedDirective,
          blocked: b.blockedURL,
          document: b.documentURL ?? entry.url,
          disposition: b.disposition,
        }),
      );
    }
    return out;
  }
  return undefined;
}

function violation(raw: {
  directive: unknown;
  blocked: unknown;
  document: unknown;
  disposition: unknown;
}): CspViolation {
  // "script-src-elem 'nonce-…'" in old reports: the directive name is the first token.
  const name = text(raw.directive).split(" ")[0]?.toLowerCase() ?? "";
  return {
    directive: KNOWN_DIRECTIVES.has(name) ? name : "other",
    blockedUri: blockedUri(text(raw.blocked)),
    documentPath: documentPath(text(raw.document)),
    disposition: raw.disposition === "report" ? "report" : "enforce",
  };
}

function blockedUri(value: string): string {
  if (value === "") return "(none)";
  if (BLOCKED_KEYWORDS.test(value)) return value;
  try {
    const url = new URL(value);
    // data:/blob: carry content, not a location: the scheme is what matters.
    if (url.protocol === "data:" || url.protocol === "blob:") return url.protocol.slice(0, -1);
    // Query and fragment dropped: they can carry tokens from someone else's page.
    return clip(url.origin === "null" ? url.protocol : `${url.origin}${url.pathname}`);
  } catch {
    return "(invalid)";
  }
}

function documentPath(value: string): string {
  try {
    return clip(new URL(value).pathname);
  } catch {
    return "(invalid)";
  }
}

function text(value: unknown): string {
  return typeof value === "string" ? value.slice(0, 2048) : "";
}

function clip(value: string): string {
  return value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS)}…` : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
