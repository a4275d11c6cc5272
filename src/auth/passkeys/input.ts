import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { Context } from "hono";
import { z } from "zod";

/**
 * Reading a ceremony's answer (the JSON @simplewebauthn/browser posts).
 * Everything here is attacker-controlled: the size is capped before parsing,
 * the shape is checked with zod before the library sees it, and every
 * failure is a value the route answers with 400, never an exception.
 */
export const MAX_BODY_BYTES = 16 * 1024;

/** base64url text of a bounded length: ids, clientDataJSON, signatures. */
const b64 = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/);

const common = {
  // Credential ids are at most 1023 bytes (WebAuthn §5.8.3): 1364 base64url characters.
  id: b64(1400),
  rawId: b64(1400),
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64(4096),
    attestationObject: b64(8192),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64(4096).optional(),
    authenticatorData: b64(4096).optional(),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64(4096),
    authenticatorData: b64(4096),
    signature: b64(2048),
    userHandle: b64(128).optional(),
  }),
});

export type BodyResult<T> = { ok: true; value: T } | { ok: false; reason: string };

async function readJson(c: Context): Promise<BodyResult<unknown>> {
  const type = c.req.header("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    return { ok: false, reason: "not_json" };
  }
  const declared = Number(c.req.header("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) return { ok: false, reason: "too_large" };
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { ok: false, reason: "too_large" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "malformed_json" };
  }
}

export async function readRegistration(c: Context): Promise<BodyResult<RegistrationResponseJSON>> {
  const body = await readJson(c);
  if (!body.ok) return body;
  const parsed = registrationSchema.safeParse(body.value);
  if (!parsed.success) return { ok: false, reason: "bad_shape" };
  return { ok: true, value: parsed.data as RegistrationResponseJSON };
}

export async function readAssertion(c: Context): Promise<BodyResult<AuthenticationResponseJSON>> {
  const body = await readJson(c);
  if (!body.ok) return body;
  const parsed = authenticationSchema.safeParse(body.value);
  if (!parsed.success) return { ok: false, reason: "bad_shape" };
  return { ok: true, value: parsed.data as AuthenticationResponseJSON };
}
