import { createHmac, hash, timingSafeEqual as nodeTimingSafeEqual } from "node:crypto";

export function sha256Hex(input: string | Uint8Array): string {
  // One-shot hash(): same digest as createHash().update().digest(), without building a Hash
  // stream object; every signed-in request hashes its session token here, and the object
  // was most of that cost in the throughput profile.
  return hash("sha256", input, "hex");
}

export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update(data).digest());
}

/**
 * Constant-time comparison. Lengths are compared first (length is not secret
 * for fixed-size MACs and hashes); the contents are compared without early exit
 * so an attacker cannot learn a matching prefix from response timing.
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === "string" ? Buffer.from(a) : Buffer.from(a);
  const y = typeof b === "string" ? Buffer.from(b) : Buffer.from(b);
  if (x.length !== y.length) return false;
  return nodeTimingSafeEqual(x, y);
}
