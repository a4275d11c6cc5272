import type { OAuthFailure } from "./types.js";

/**
 * The fields an operator needs to fix a failed provider call, for the log
 * line (never for the visitor, who gets a friendly page).
 *
 * `cause` and `code` come from the library error underneath (openid-client,
 * fetch). For a metadata check that failed (openid-client's
 * OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED: discovery found another issuer than
 * OIDC_ISSUER, the classic misconfiguration) `attribute`, `expected` and
 * `actual` name both values. Only that one attribute is copied out of the
 * provider's answer, never the whole body.
 */
export function failureLogFields(error: OAuthFailure): Record<string, unknown> {
  const cause = error.cause as { message?: unknown; code?: unknown; cause?: unknown } | undefined;
  const fields: Record<string, unknown> = {
    reason: error.reason,
    detail: error.message,
    cause: typeof cause?.message === "string" ? cause.message : undefined,
    code: typeof cause?.code === "string" ? cause.code : undefined,
  };
  const comparison = cause?.cause as
    | { attribute?: unknown; expected?: unknown; body?: unknown }
    | undefined;
  if (typeof comparison?.attribute === "string") {
    const body = comparison.body as Record<string, unknown> | undefined;
    const actual = body?.[comparison.attribute];
    fields.attribute = comparison.attribute;
    fields.expected = textOrUndefined(comparison.expected);
    fields.actual = textOrUndefined(actual);
  }
  return fields;
}

function textOrUndefined(value: unknown): string | undefined {
  if (typeof value === "string") return value.slice(0, 200);
  if (value instanceof URL) return value.href;
  return undefined;
}
