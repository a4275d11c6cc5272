import { expect } from "vitest";
import { generateTotp } from "../../src/totp/totp.js";
import { csrfFrom, ORIGIN, submitForm } from "../forms.js";
import type { TestApp, TestClient } from "../harness.js";
import { registerTestSecret } from "../secrets.js";
import { login, logout, PASSWORD, seedUser } from "./login-fixture.js";

/** Shared by the two-factor flows: enrol through the real pages, as a person would. */

/** Base32 (RFC 4648, no padding) -> bytes: what an authenticator app does with the typed key. */
export function base32Decode(text: string): Uint8Array {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** The key shown for manual entry on the setup page. */
export function manualKeyFrom(html: string): string {
  const key = /<code class="setup-key" id="manual-key">([^<]+)<\/code>/.exec(html)?.[1];
  if (!key) throw new Error("no manual key on this page");
  return key.replace(/\s/g, "");
}

/** The backup codes shown once after enrolment or regeneration. */
export function backupCodesFrom(html: string): string[] {
  return [...html.matchAll(/\b([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})\b/g)]
    .map((m) => m[1] as string)
    .filter((code, i, all) => all.indexOf(code) === i);
}

/** Opens the sudo window of the client's session with the password. */
export async function confirmSudo(client: TestClient, password = PASSWORD): Promise<void> {
  const res = await submitForm(client, "/auth/confirm", { password });
  expect(res.status).toBe(303);
}

export interface Enrolled {
  secret: Uint8Array;
  backupCodes: string[];
  /** The TOTP code for the fixture's clock now (plus `offsetSteps` steps). */
  code(offsetSteps?: number): string;
}

/**
 * Signs `client` in (if asked), confirms sudo, reads the key from the setup
 * page, submits the current code and returns the secret and backup codes.
 * The clock then moves on one step, so the enrolment code is not "replayed"
 * by the first sign-in of a test.
 */
export async function enrol(
  t: TestApp,
  options: { client?: TestClient; signIn?: boolean } = {},
): Promise<Enrolled> {
  const client = options.client ?? t.client;
  if (options.signIn ?? true) expect((await login(client)).status).toBe(303);
  await confirmSudo(client);
  const page = await client.get("/account/2fa/setup");
  expect(page.status).toBe(200);
  const html = await page.text();
  const manualKey = manualKeyFrom(html);
  const secret = base32Decode(manualKey);
  // Audit rows must hold none of these (test/secrets.ts scans them at every app's close).
  registerTestSecret(manualKey);
  const code = (offsetSteps = 0) => {
    const made = generateTotp(secret, new Date(t.clock.now().getTime() + offsetSteps * 30_000));
    registerTestSecret(made);
    return made;
  };
  const res = await client.post(
    "/account/2fa/setup",
    { _csrf: csrfFrom(html), code: code() },
    { Origin: ORIGIN },
  );
  expect(res.status).toBe(200);
  const backupCodes = backupCodesFrom(await res.text());
  expect(backupCodes).toHaveLength(10);
  registerTestSecret(...backupCodes);
  t.clock.advance(30_000);
  return { secret, backupCodes, code };
}

/** Password step of a sign-in for a 2FA account: expects the redirect to /auth/2fa. */
export async function startChallenge(client: TestClient): Promise<void> {
  const res = await login(client);
  expect(res.status).toBe(303);
  expect(res.headers.get("Location")).toBe("/auth/2fa");
}

/**
 * A 2FA account (seeded, enrolled, signed out) whose next sign-in waits at
 * /auth/2fa in `t.client`: the code maker and the challenge page's HTML.
 */
export async function openChallenge(t: TestApp): Promise<{ code: Enrolled["code"]; html: string }> {
  await seedUser(t);
  const { code } = await enrol(t);
  await logout(t.client);
  await startChallenge(t.client);
  const html = await (await t.client.get("/auth/2fa")).text();
  return { code, html };
}

/** Loads /auth/2fa and submits `code` (the browser round trip). */
export async function submitCode(client: TestClient, code: string): Promise<Response> {
  return submitForm(client, "/auth/2fa", { code });
}

export function pendingCookieName(client: TestClient): string | undefined {
  return [...client.cookies.keys()].find(
    (k) => k === "pending_login" || k === "__Host-pending_login",
  );
}
