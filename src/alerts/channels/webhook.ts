import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Clock } from "../../lib/clock.js";
import { hmacSha256 } from "../../lib/crypto.js";
import { type AlertNotice, monitoringUrl, noticeHeadline } from "../notice.js";

export interface WebhookSettings {
  url: string;
  /** ALERT_WEBHOOK_SECRET: the HMAC key receivers verify X-Bastion-Signature with. */
  secret: string;
  /** Per attempt: the request is aborted after this long. */
  timeoutMs: number;
  /** Further attempts after the first, on a network error, a timeout or a 5xx. */
  retries: number;
}

export interface WebhookOutcome {
  delivered: boolean;
  attempts: number;
  /** The last attempt's HTTP status, or the error's message. */
  last: string;
}

/** The JSON a receiver gets: `text` for Slack-compatible receivers, fields for everyone else. */
export interface WebhookPayload {
  text: string;
  status: "firing" | "resolved";
  kind: AlertNotice["kind"];
  id: string;
  rule: string;
  severity: string;
  summary: string;
  value: number;
  currentValue: number | null;
  threshold: number;
  unit: string;
  firedAt: string;
  resolvedAt: string | null;
  app: string;
  url: string;
  /** When this notice was sent (ISO 8601); signed with the rest, see signatureOf. */
  sentAt: string;
}

/**
 * Waits between attempts: 0.5 s, 1 s, then 2 s each (attempt 1 is the first
 * retry). Capped so the worst case, 20 s of timeouts (config/alerts.ts) plus
 * 7.5 s of waits for 5 retries, stays inside the evaluator's 30-second lease.
 */
export const defaultRetryDelayMs = (attempt: number) => Math.min(2000, 500 * 2 ** (attempt - 1));

/**
 * `sha256=<hex HMAC-SHA256(secret, body)>` over the exact bytes sent. The
 * body carries `sentAt` and the alert id, so the signature covers both: a
 * receiver that refuses a sentAt older than a few minutes, or an (id, kind,
 * sentAt) it has seen, cannot be fed a captured request again.
 */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${Buffer.from(hmacSha256(secret, body)).toString("hex")}`;
}

export function webhookPayload(
  app: { appName: string; appUrl: string },
  notice: AlertNotice,
  sentAt: Date,
): WebhookPayload {
  const { alert } = notice;
  return {
    text: `${noticeHeadline(app.appName, notice)}\n${alert.summary}`,
    status: notice.kind === "resolved" ? "resolved" : "firing",
    kind: notice.kind,
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    summary: alert.summary,
    value: alert.value,
    currentValue: notice.currentValue ?? null,
    threshold: alert.threshold,
    unit: alert.unit,
    firedAt: alert.firedAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    app: app.appName,
    url: monitoringUrl(app.appUrl),
    sentAt: sentAt.toISOString(),
  };
}

/**
 * The webhook channel: a signed JSON POST with bounded retries. It never
 * throws: the alert is already stored when it runs, and a receiver that is
 * down, slow or failing costs at most (retries + 1) × timeoutMs plus the
 * waits between attempts (config/alerts.ts bounds the product), then is
 * logged and counted.
 *
 * Retried: network errors, timeouts, 5xx and 429 (a receiver asking to slow
 * down). Not retried: other 4xx (a wrong URL or a refused signature will not
 * get better) and 3xx, which are not followed either, so a receiver cannot
 * bounce the signed notice to another host.
 */
export function createWebhookChannel(deps: {
  settings: WebhookSettings;
  appName: string;
  appUrl: string;
  clock: Clock;
  logger: Logger;
  retryDelayMs?: (attempt: number) => number;
  onOutcome?: (outcome: WebhookOutcome) => void;
}): { send(notice: AlertNotice): Promise<WebhookOutcome> } {
  const { settings, logger } = deps;
  const delay = deps.retryDelayMs ?? defaultRetryDelayMs;
  return {
    async send(notice) {
      const body = JSON.stringify(webhookPayload(deps, notice, deps.clock.now()));
      const headers = {
        "Content-Type": "application/json",
        // Fixed: APP_NAME may hold characters a header cannot carry.
        "User-Agent": "Bastion-Alerts/1",
        "X-Bastion-Signature": signatureOf(settings.secret, body),
        // The same delivery id on every attempt: a receiver that got a "lost" one drops the repeat.
        "X-Bastion-Delivery": `${notice.alert.id}:${notice.kind}:${notice.at.getTime()}`,
      };
      const outcome: WebhookOutcome = { delivered: false, attempts: 0, last: "" };
      for (let attempt = 0; attempt <= settings.retries; attempt++) {
        if (attempt > 0) await sleep(delay(attempt));
        outcome.attempts++;
        let retry: boolean;
        try {
          const response = await fetch(settings.url, {
            method: "POST",
            headers,
            body,
            redirect: "manual",
            signal: AbortSignal.timeout(settings.timeoutMs),
          });
          // Read (and drop) the body so the connection is released.
          await response.arrayBuffer().catch(() => undefined);
          outcome.last = `HTTP ${response.status}`;
          if (response.status >= 200 && response.status < 300) {
            outcome.delivered = true;
            break;
          }
          retry = response.status >= 500 || response.status === 429;
        } catch (error) {
          const name = error instanceof Error ? error.name : "";
          outcome.last =
            name === "TimeoutError" || name === "AbortError"
              ? `timed out after ${settings.timeoutMs} ms`
              : `${(error as Error).message ?? String(error)}${causeOf(error)}`;
          retry = true;
        }
        if (!retry) break;
      }
      const fields = { rule: notice.alert.rule, kind: notice.kind, ...outcome };
      if (outcome.delivered) logger.info(fields, "alert webhook delivered");
      else logger.warn(fields, "alert webhook not delivered");
      deps.onOutcome?.(outcome);
      return outcome;
    },
  };
}

/** undici's "fetch failed" hides the reason (ECONNREFUSED...) in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message;
  return reason ? ` (${reason})` : "";
}
