import { OAuth2Tokens } from "arctic";
import { OAuthFailure } from "./types.js";

/**
 * HTTP to providers, bounded. arctic's OAuth2Client builds the authorization
 * URL, but its code exchange calls the global fetch with no way to pass an
 * AbortSignal, so a provider that accepts the connection and never answers
 * would hold the request (and a socket) for minutes. The exchange is done
 * here instead, with the same request shape arctic sends (form body, Basic
 * client credentials, Accept: application/json) and arctic's OAuth2Tokens
 * to read the answer.
 */

/** Whether an error (or anything in its cause chain) is a fetch abort from a timeout. */
export function isTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error || (typeof e === "object" && e !== null && "name" in e)) {
      const name = (e as { name?: unknown }).name;
      if (name === "TimeoutError" || name === "AbortError") return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A fetch that gives up after `timeoutMs`; network failures become OAuthFailure values. */
export async function boundedFetch(
  url: string,
  init: RequestInit & { timeoutMs: number },
): Promise<Response> {
  const { timeoutMs, ...rest } = init;
  try {
    return await fetch(url, {
      ...rest,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new OAuthFailure(isTimeout(error) ? "timeout" : "provider_unreachable", {
      cause: error,
    });
  }
}

/** Reads a JSON body within the same deadline; a provider that stalls mid-body is a timeout. */
export async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    if (isTimeout(error)) throw new OAuthFailure("timeout", { cause: error });
    return undefined;
  }
}

export interface CodeExchange {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  codeVerifier: string;
  timeoutMs: number;
  userAgent: string;
}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5). A non-200, a body without an
 * access token, or an `error` member (GitHub answers bad codes with 200 and
 * `{ "error": "bad_verification_code" }`) are all `token_exchange_failed`.
 */
export async function exchangeCode(input: CodeExchange): Promise<OAuth2Tokens> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
  });
  const credentials = Buffer.from(`${input.clientId}:${input.clientSecret}`).toString("base64");
  const response = await boundedFetch(input.tokenUrl, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/json",
      Authorization: `Basic ${credentials}`,
      "User-Agent": input.userAgent,
    },
    body,
    timeoutMs: input.timeoutMs,
  });
  const data = await readJson(response);
  if (response.status !== 200 || typeof data !== "object" || data === null || "error" in data) {
    const code =
      typeof data === "object" && data !== null && "error" in data ? String(data.error) : "";
    throw new OAuthFailure("token_exchange_failed", {
      message: `token endpoint answered ${response.status}${code ? ` (${code.slice(0, 64)})` : ""}`,
    });
  }
  const tokens = new OAuth2Tokens(data);
  try {
    tokens.accessToken();
  } catch (cause) {
    throw new OAuthFailure("token_exchange_failed", { message: "no access token", cause });
  }
  return tokens;
}

/** A GET with a bearer token that must answer 200 with JSON; anything else is `profile_failed`. */
export async function getJson(
  url: string,
  options: { accessToken: string; timeoutMs: number; headers?: Record<string, string> },
): Promise<unknown> {
  const response = await boundedFetch(url, {
    method: "GET",
    headers: {
      Accept: "application/json",
      Authorization: `Bearer ${options.accessToken}`,
      ...options.headers,
    },
    timeoutMs: options.timeoutMs,
  });
  const data = await readJson(response);
  if (response.status !== 200 || data === undefined) {
    throw new OAuthFailure("profile_failed", { message: `${url} answered ${response.status}` });
  }
  return data;
}

export function refreshTokenOf(tokens: OAuth2Tokens): string | null {
  return tokens.hasRefreshToken() ? tokens.refreshToken() : null;
}
