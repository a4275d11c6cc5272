import { type CapturedMail, isCaptureMailer } from "../src/mail/capture.js";
import type { TestApp, TestClient } from "./harness.js";

/** The origin the test config's APP_URL implies; the CSRF guard checks Origin against it. */
export const ORIGIN = "http://localhost:8000";

/** The `_csrf` value of the first form in `html`, as a browser would submit it. */
export function csrfFrom(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error("no _csrf field in this page");
  return token;
}

/**
 * The browser round trip: GET `from` (default: `path`), take its CSRF token,
 * POST `fields` to `path` with a same-origin Origin header.
 */
export async function submitForm(
  client: TestClient,
  path: string,
  fields: Record<string, string>,
  options: { from?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const from = options.from ?? path.split("?")[0] ?? path;
  const page = await client.get(from, options.headers);
  const html = await page.text();
  const token = csrfFrom(html);
  return client.post(path, { _csrf: token, ...fields }, { Origin: ORIGIN, ...options.headers });
}

/** Posts with a token fetched once before (many submissions from one open page). */
export function postWith(
  client: TestClient,
  token: string,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return client.post(path, { _csrf: token, ...fields }, { Origin: ORIGIN, ...headers });
}

/**
 * Runs the outbox sender once and returns everything the capture mailer holds, oldest first.
 * Settles first: a reset or confirmation mail is queued just after its response.
 */
export async function deliverMail(t: TestApp): Promise<CapturedMail[]> {
  await t.settle();
  await t.deps.outbox.runOnce();
  const mailer = t.deps.mailer;
  if (!isCaptureMailer(mailer)) throw new Error("the test app does not capture mail");
  return [...mailer.messages()].reverse();
}

/** Mail delivered to `to` (case-insensitive), oldest first. */
export async function mailTo(t: TestApp, to: string): Promise<CapturedMail[]> {
  return (await deliverMail(t)).filter((m) => m.to.toLowerCase() === to.toLowerCase());
}

/** The token of the first link to `path` in a mail's text. */
export function tokenFrom(mail: CapturedMail | undefined, path: string): string {
  const escaped = path.replace(/[/.]/g, "\\$&");
  const match = new RegExp(`${escaped}\\?token=([A-Za-z0-9_-]+)`).exec(mail?.text ?? "");
  if (!match?.[1]) throw new Error(`no ${path} link in mail "${mail?.subject}"`);
  return match[1];
}

/** Rows of the durable outbox (what is queued, whether or not sent yet), once pending work settled. */
export async function outboxRows(t: TestApp) {
  await t.settle();
  return t.deps.db.query<{ to_address: string; template: string; status: string }>(
    "SELECT to_address, template, status FROM mail_outbox ORDER BY created_at, id",
  );
}

/** A browser opening the form at `pageUrl` over a real socket: the cookies it got and the form's token. */
export async function openFormOverHttp(
  pageUrl: string,
): Promise<{ cookie: string; token: string }> {
  const page = await fetch(pageUrl);
  const cookie = page.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  return { cookie, token: csrfFrom(await page.text()) };
}
