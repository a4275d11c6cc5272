import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { expect } from "vitest";
import { csrfFrom, ORIGIN } from "../forms.js";
import type { TestApp, TestClient } from "../harness.js";
import { type AssertOverrides, SoftAuthenticator } from "../passkey-authenticator.js";
import { confirmSudo } from "./two-factor-fixture.js";

/** Shared by the passkey flows: the JSON requests static/passkeys.js makes, over app.request(). */

/** The test config's APP_URL is http://localhost:8000: RP id "localhost", that one origin. */
export function softAuthenticator(
  options: { userVerified?: boolean; synced?: boolean; aaguid?: string } = {},
): SoftAuthenticator {
  return new SoftAuthenticator({ rpId: "localhost", origin: ORIGIN, ...options });
}

/** The page's CSRF token, as the script reads it (any form's token is the same secret's). */
export async function pageToken(client: TestClient, path: string): Promise<string> {
  const res = await client.get(path);
  expect(res.status, `GET ${path}`).toBe(200);
  return csrfFrom(await res.text());
}

/** A same-origin JSON POST with the token in X-CSRF-Token (what fetch() in passkeys.js sends). */
export function postJson(
  client: TestClient,
  token: string,
  path: string,
  body: unknown = {},
): Promise<Response> {
  return client.postJson(path, body, { Origin: ORIGIN, "X-CSRF-Token": token });
}

/** Raw text as the body (malformed or oversized JSON). */
export function postRaw(
  client: TestClient,
  token: string,
  path: string,
  body: string,
  contentType = "application/json",
): Promise<Response> {
  return client.request(path, {
    method: "POST",
    headers: {
      "Content-Type": contentType,
      Accept: "application/json",
      Origin: ORIGIN,
      "X-CSRF-Token": token,
    },
    body,
  });
}

/**
 * Adds a passkey for the signed-in `client` (confirming sudo first unless
 * told not to) and returns the server's answer to the registration.
 */
export async function registerPasskey(
  client: TestClient,
  authenticator: SoftAuthenticator,
  options: { sudo?: boolean } = {},
): Promise<Response> {
  if (options.sudo ?? true) await confirmSudo(client);
  const token = await pageToken(client, "/account/security");
  const opts = await postJson(client, token, "/account/passkeys/options");
  expect(opts.status, "registration options").toBe(200);
  const creation = (await opts.json()) as PublicKeyCredentialCreationOptionsJSON;
  return postJson(client, token, "/account/passkeys", authenticator.register(creation));
}

/** The options of an assertion ceremony (sign-in, second factor, sudo) and the page token used. */
export async function assertionOptions(
  client: TestClient,
  input: { page: string; optionsPath: string },
): Promise<{ token: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const token = await pageToken(client, input.page);
  const res = await postJson(client, token, input.optionsPath);
  expect(res.status, `POST ${input.optionsPath}`).toBe(200);
  return { token, options: (await res.json()) as PublicKeyCredentialRequestOptionsJSON };
}

export const SIGN_IN = {
  page: "/auth/login",
  optionsPath: "/auth/passkey/options",
  path: "/auth/passkey",
};
export const SECOND_FACTOR = {
  page: "/auth/2fa",
  optionsPath: "/auth/2fa/passkey/options",
  path: "/auth/2fa/passkey",
};
export const SUDO = {
  page: "/auth/confirm",
  optionsPath: "/auth/confirm/passkey/options",
  path: "/auth/confirm/passkey",
};

/**
 * One whole assertion ceremony: options, the authenticator's answer (with
 * `overrides` forging part of it, or `edit` changing the JSON), the POST.
 */
export async function assertWith(
  client: TestClient,
  authenticator: SoftAuthenticator,
  ceremony: { page: string; optionsPath: string; path: string },
  options: {
    overrides?: AssertOverrides;
    edit?: (answer: AuthenticationResponseJSON) => unknown;
    query?: string;
  } = {},
): Promise<Response> {
  const { token, options: request } = await assertionOptions(client, ceremony);
  const answer = authenticator.assert(request, options.overrides);
  const body = options.edit ? options.edit(answer) : answer;
  return postJson(client, token, `${ceremony.path}${options.query ?? ""}`, body);
}

/** The JSON error code of a refused passkey request. */
export async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code;
}

export async function passkeyCount(t: TestApp): Promise<number> {
  const row = await t.deps.db.one<{ n: number }>("SELECT count(*) AS n FROM passkeys");
  return Number(row?.n ?? 0);
}
