import { afterEach, describe, expect, it } from "vitest";
import { startWebhookReceiver } from "../../../test/flows/alerts-fixture.js";
import { captureLogger } from "../../../test/logs.js";
import { freePort } from "../../../test/net.js";
import { fixedClock } from "../../lib/clock.js";
import type { AlertNotice } from "../notice.js";
import { createWebhookChannel, defaultRetryDelayMs, signatureOf } from "./webhook.js";

const SECRET = "webhook-secret-0123456789abcdef";
const FIRED = new Date("2026-01-15T12:00:00Z");

const notice: AlertNotice = {
  kind: "fired",
  label: "Error rate",
  currentValue: 12.5,
  at: FIRED,
  alert: {
    id: "0194-alert",
    rule: "error_rate",
    severity: "critical",
    state: "firing",
    value: 12.5,
    threshold: 5,
    unit: "%",
    summary: "Error rate 12.5 % over 5 min (above threshold 5 %)",
    firedAt: FIRED,
    resolvedAt: undefined,
    notifications: 1,
    lastNotifiedAt: FIRED,
  },
};

function channel(url: string, options: { timeoutMs?: number; retries?: number } = {}) {
  const { logger, lines } = captureLogger();
  const send = createWebhookChannel({
    settings: {
      url,
      secret: SECRET,
      timeoutMs: options.timeoutMs ?? 2000,
      retries: options.retries ?? 2,
    },
    appName: "Bastion",
    appUrl: "https://app.example.com",
    clock: fixedClock(FIRED),
    logger,
    retryDelayMs: () => 5,
  });
  return { send: send.send, lines };
}

/**
 * The webhook against a real HTTP receiver. Threats: a forged notice (the
 * receiver must be able to tell ours from anyone's), and a receiver that is
 * down, slow or failing holding the evaluator up or losing the alert.
 */
describe("alert webhook", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("posts signed JSON with Slack's `text` and the structured fields", async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET });
    close = receiver.close;
    const { send, lines } = channel(receiver.url);
    expect(await send(notice)).toEqual({ delivered: true, attempts: 1, last: "HTTP 200" });
    const [got] = receiver.received;
    expect(got?.signatureOk).toBe(true);
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["user-agent"]).toBe("Bastion-Alerts/1");
    expect(got?.headers["x-bastion-signature"]).toBe(signatureOf(SECRET, got?.raw ?? ""));
    expect(got?.body).toEqual({
      text: "[Bastion] FIRING critical: Error rate 12.5 %\nError rate 12.5 % over 5 min (above threshold 5 %)",
      status: "firing",
      kind: "fired",
      id: "0194-alert",
      rule: "error_rate",
      severity: "critical",
      summary: "Error rate 12.5 % over 5 min (above threshold 5 %)",
      value: 12.5,
      currentValue: 12.5,
      threshold: 5,
      unit: "%",
      firedAt: FIRED.toISOString(),
      resolvedAt: null,
      app: "Bastion",
      url: "https://app.example.com/admin/monitoring",
      sentAt: FIRED.toISOString(),
    });
    expect(lines.at(-1)).toMatchObject({ msg: "alert webhook delivered", attempts: 1 });
    // The URL may carry a receiver's secret (Slack puts it in the path): never logged.
    expect(JSON.stringify(lines)).not.toContain("/hooks/alerts");
  });

  it("waits 0.5 s, 1 s, then 2 s between attempts: the worst case stays inside the 30 s lease", () => {
    expect([1, 2, 3, 4, 5].map(defaultRetryDelayMs)).toEqual([500, 1000, 2000, 2000, 2000]);
  });

  it("threat: a body changed in transit, or signed with another key, fails verification", () => {
    const body = JSON.stringify({ text: "hi" });
    expect(signatureOf(SECRET, body)).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signatureOf(SECRET, body)).not.toBe(signatureOf(SECRET, `${body} `));
    expect(signatureOf(SECRET, body)).not.toBe(signatureOf(`${SECRET}x`, body));
  });

  it("a receiver answering 500 gets the first attempt and every retry, then is given up on", async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET, respond: () => 500 });
    close = receiver.close;
    const { send, lines } = channel(receiver.url, { retries: 2 });
    expect(await send(notice)).toEqual({ delivered: false, attempts: 3, last: "HTTP 500" });
    expect(receiver.attempts()).toBe(3);
    // Every attempt carries the same delivery id, so a receiver can drop repeats.
    const ids = new Set(receiver.received.map((r) => r.headers["x-bastion-delivery"]));
    expect(ids.size).toBe(1);
    expect(lines.at(-1)).toMatchObject({ level: 40, msg: "alert webhook not delivered" });
  });

  it("recovers on a retry: 503, then 200", async () => {
    const receiver = await startWebhookReceiver({
      secret: SECRET,
      respond: (n) => (n === 1 ? 503 : 200),
    });
    close = receiver.close;
    const { send } = channel(receiver.url);
    expect(await send(notice)).toEqual({ delivered: true, attempts: 2, last: "HTTP 200" });
  });

  it("a 4xx is not retried (a wrong URL or a refused signature will not get better)", async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET, respond: () => 403 });
    close = receiver.close;
    const { send } = channel(receiver.url, { retries: 5 });
    expect(await send(notice)).toEqual({ delivered: false, attempts: 1, last: "HTTP 403" });
  });

  it("threat: a redirect is not followed, so the signed notice is not bounced elsewhere", async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET, respond: () => 307 });
    close = receiver.close;
    const { send } = channel(receiver.url);
    expect(await send(notice)).toEqual({ delivered: false, attempts: 1, last: "HTTP 307" });
    expect(receiver.attempts()).toBe(1);
  });

  it("a receiver that is down: bounded attempts, the reason logged, no throw", async () => {
    const port = await freePort(); // nothing listens: connection refused
    const { send, lines } = channel(`http://127.0.0.1:${port}/hook`, { retries: 1 });
    const outcome = await send(notice);
    expect(outcome).toMatchObject({ delivered: false, attempts: 2 });
    expect(outcome.last).toContain("ECONNREFUSED");
    expect(lines.at(-1)).toMatchObject({ msg: "alert webhook not delivered" });
  });

  it("a receiver that never answers is cut off at the timeout on every attempt", async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET, respond: () => "hang" });
    close = receiver.close;
    const { send } = channel(receiver.url, { timeoutMs: 150, retries: 1 });
    expect(await send(notice)).toEqual({
      delivered: false,
      attempts: 2,
      last: "timed out after 150 ms",
    });
    expect(receiver.attempts()).toBe(2);
  });
});
