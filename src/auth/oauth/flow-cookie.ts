import type { Context } from "hono";
import { z } from "zod";
import type { Clock } from "../../lib/clock.js";
import { hmacSha256, timingSafeEqual } from "../../lib/crypto.js";
import { base64url } from "../../lib/encoding.js";
import type { Cookies } from "../../security/cookies.js";
import { PROVIDER_IDS } from "./types.js";

/**
 * The flow cookie: what the callback needs to finish THIS browser's flow.
 *
 * - state: compared with the `state` the provider sends back. An attacker who
 *   sends a victim to our callback with the attacker's own code (login CSRF:
 *   the victim would end up signed in as, or linked to, the attacker) cannot
 *   also plant this cookie, so the state cannot match.
 * - codeVerifier (PKCE): a stolen authorization code is useless without it.
 * - nonce (OIDC): the id_token must carry it, so a token minted for another
 *   flow cannot be replayed into this one.
 * - intent/userId: a link flow belongs to the account that started it.
 *
 * Signed with HMAC-SHA256 under a key derived from SECRET_KEY for this
 * purpose only, compared in constant time; HttpOnly (scripts never see the
 * verifier); SameSite=Lax, because the callback is a top-level cross-site
 * GET from the provider and Strict would withhold the cookie; 10 minutes,
 * enforced by the signed expiry as well as Max-Age; single use (cleared by
 * the callback, and the state is recorded as used, see used-states.ts).
 */
export const FLOW_COOKIE = "oauth_flow";
export const FLOW_TTL_SECONDS = 600;
/** Cookies are capped around 4 KB; a flow is ~400 bytes, anything much larger is not ours. */
const MAX_COOKIE_CHARS = 2048;

const flowSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  state: z.string().min(32).max(128),
  codeVerifier: z.string().min(43).max(128),
  nonce: z.string().min(32).max(128).optional(),
  intent: z.enum(["sign_in", "link"]),
  userId: z.string().max(64).optional(),
  next: z.string().max(2048).optional(),
  /** Epoch milliseconds by deps.clock. */
  expiresAt: z.number().int(),
});

export type OAuthFlow = z.infer<typeof flowSchema>;

export type FlowReadResult =
  | { ok: true; flow: OAuthFlow }
  | { ok: false; reason: "missing_cookie" | "bad_signature" | "malformed" | "expired" };

export interface FlowCookies {
  issue(c: Context, flow: Omit<OAuthFlow, "expiresAt">): void;
  read(c: Context): FlowReadResult;
  clear(c: Context): void;
}

export function createFlowCookies(deps: {
  cookies: Cookies;
  secretKey: string;
  clock: Clock;
}): FlowCookies {
  const { cookies, clock } = deps;
  // Domain separation: a MAC made for this cookie is never valid for any other use of SECRET_KEY.
  const key = hmacSha256(deps.secretKey, "bastion:oauth-flow-cookie:v1");
  const mac = (payload: string) => base64url(hmacSha256(key, payload));

  return {
    issue(c, flow) {
      const expiresAt = clock.now().getTime() + FLOW_TTL_SECONDS * 1000;
      const payload = Buffer.from(JSON.stringify({ ...flow, expiresAt })).toString("base64url");
      cookies.set(c, FLOW_COOKIE, `${payload}.${mac(payload)}`, {
        maxAgeSeconds: FLOW_TTL_SECONDS,
      });
    },
    read(c) {
      const value = cookies.get(c, FLOW_COOKIE);
      if (!value) return { ok: false, reason: "missing_cookie" };
      const dot = value.indexOf(".");
      if (value.length > MAX_COOKIE_CHARS || dot < 1) return { ok: false, reason: "malformed" };
      const payload = value.slice(0, dot);
      if (!timingSafeEqual(mac(payload), value.slice(dot + 1))) {
        return { ok: false, reason: "bad_signature" };
      }
      let parsed: ReturnType<typeof flowSchema.safeParse>;
      try {
        parsed = flowSchema.safeParse(JSON.parse(Buffer.from(payload, "base64url").toString()));
      } catch {
        return { ok: false, reason: "malformed" };
      }
      if (!parsed.success) return { ok: false, reason: "malformed" };
      if (parsed.data.expiresAt <= clock.now().getTime()) return { ok: false, reason: "expired" };
      return { ok: true, flow: parsed.data };
    },
    clear(c) {
      cookies.clear(c, FLOW_COOKIE);
    },
  };
}
