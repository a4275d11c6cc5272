import { createCipheriv, createDecipheriv, hkdfSync } from "node:crypto";
import { hex } from "../lib/encoding.js";
import type { Random } from "../lib/random.js";

/**
 * Encryption at rest for small secrets (TOTP seeds), so a database dump or
 * backup alone does not let anyone generate a user's codes.
 *
 * - AES-256-GCM: authenticated, so a tampered ciphertext fails to open
 *   instead of yielding a different seed.
 * - Key: HKDF-SHA256 from SECRET_KEY with a purpose label, so this key is
 *   never the same bytes as any other key the app derives (CSRF, device
 *   cookies, …) and a leak of one tells nothing about another.
 * - 96-bit random IV per encryption (GCM's native size). With one
 *   encryption per enrolment, random IVs stay far below the 2^32 limit.
 * - AAD binds each ciphertext to its context (the user id): a ciphertext
 *   copied into another user's row does not open.
 * - Key id: a fingerprint of the key (its own HKDF output, revealing
 *   nothing about the key), stored beside each ciphertext. After SECRET_KEY
 *   is rotated, pass the old one in `previousSecretKeys`: rows name the key
 *   that opens them, and re-encrypting them is a bulk job over key_id.
 */
export interface SecretBox {
  /** The key id new ciphertexts are stored with. */
  readonly keyId: string;
  seal(plaintext: Uint8Array, context: string): { ciphertext: string; keyId: string };
  /** Undefined when the key id is unknown or the ciphertext/context does not authenticate. */
  open(sealed: { ciphertext: string; keyId: string }, context: string): Uint8Array | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = "bastion/secret-box";

interface DerivedKey {
  id: string;
  key: Buffer;
}

function derive(secretKey: string, purpose: string): DerivedKey {
  const key = Buffer.from(hkdfSync("sha256", secretKey, SALT, `${purpose}/aes-256-gcm`, 32));
  const fingerprint = new Uint8Array(hkdfSync("sha256", secretKey, SALT, `${purpose}/key-id`, 8));
  return { id: `hkdf1:${hex(fingerprint)}`, key };
}

export function createSecretBox(options: {
  secretKey: string;
  previousSecretKeys?: readonly string[];
  /** Separates keys per use, e.g. "totp". */
  purpose: string;
  random: Pick<Random, "bytes">;
}): SecretBox {
  const current = derive(options.secretKey, options.purpose);
  const keys = new Map<string, Buffer>([[current.id, current.key]]);
  for (const old of options.previousSecretKeys ?? []) {
    const derived = derive(old, options.purpose);
    if (!keys.has(derived.id)) keys.set(derived.id, derived.key);
  }

  return {
    keyId: current.id,
    seal(plaintext, context) {
      const iv = options.random.bytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current.key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
      return { ciphertext: sealed.toString("base64url"), keyId: current.id };
    },
    open(sealed, context) {
      const key = keys.get(sealed.keyId);
      if (!key) return undefined;
      const data = Buffer.from(sealed.ciphertext, "base64url");
      if (data.length < IV_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, data.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const body = data.subarray(IV_BYTES, data.length - TAG_BYTES);
        return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
      } catch {
        // Wrong key, wrong context or tampered bytes: GCM refuses, we report "cannot open".
        return undefined;
      }
    },
  };
}
