import { BlockList, isIP } from "node:net";

/**
 * Pure IP address helpers for client identification and rate-limit keys.
 * No I/O; every function accepts untrusted text and returns undefined rather
 * than throwing, because these values arrive in request headers.
 */

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Canonical text of an address, or undefined when it is not an IP.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, which dual-stack sockets report for IPv4
 * peers) becomes plain IPv4, so one client never has two identities.
 */
export function normalizeIp(raw: string): string | undefined {
  let value = raw.trim();
  if (value.startsWith("[")) {
    // "[v6]" or "[v6]:port" as some proxies write it.
    const end = value.indexOf("]");
    if (end < 0) return undefined;
    value = value.slice(1, end);
  } else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(value)) {
    value = value.slice(0, value.lastIndexOf(":")); // "1.2.3.4:port"
  }
  value = value.replace(/%.*$/, ""); // zone id (fe80::1%eth0) is local detail, not identity
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) return undefined;
  const mapped = MAPPED_V4.exec(value);
  if (mapped?.[1] && isIP(mapped[1]) === 4) return mapped[1];
  const hextets = expandIpv6(value);
  if (!hextets) return undefined;
  // ::ffff:0102:0304 is the same mapped address written in hex.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [hi = 0, lo = 0] = hextets.slice(6);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
  }
  return value.toLowerCase();
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
export function expandIpv6(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address;
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted?.[1]) {
    // Embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) counts as two groups.
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split(".").map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - left.length - right.length;
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(missing).fill("0"), ...right];
  if (groups.length !== 8) return undefined;
  return groups.map((g) => Number.parseInt(g, 16));
}

/**
 * The rate-limit identity of an address. One IPv6 subscriber is normally
 * handed a whole /64 and can rotate through 2^64 addresses at will, so IPv6
 * is grouped by its /64 prefix; IPv4 stays as is.
 */
export function rateLimitKeyForIp(ip: string): string {
  const normalized = normalizeIp(ip);
  if (normalized === undefined) return "unknown";
  if (isIP(normalized) === 4) return normalized;
  const hextets = expandIpv6(normalized) ?? [];
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":")}::/64`;
}

/** A set of trusted proxy addresses/CIDRs, parsed once at startup. */
export interface TrustedNetworks {
  contains(ip: string): boolean;
}

/**
 * Builds the membership test with node:net BlockList (tested prefix matching
 * for both families) instead of hand-rolled bit arithmetic. Entries were
 * validated by the config loader; an entry that still fails to parse throws
 * here, at startup, rather than silently trusting nothing.
 */
export function trustedNetworks(cidrs: readonly string[]): TrustedNetworks {
  const list = new BlockList();
  for (const entry of cidrs) {
    const [rawIp = "", bits] = entry.split("/");
    const ip = normalizeIp(rawIp);
    if (ip === undefined) throw new Error(`TRUST_PROXY: "${entry}" is not an IP or CIDR`);
    const type = isIP(ip) === 4 ? "ipv4" : "ipv6";
    // "::ffff:10.0.0.0/104" was normalised to IPv4, so its prefix loses the 96 mapped bits.
    const prefix =
      bits === undefined ? undefined : Number(bits) - (type !== familyOf(rawIp) ? 96 : 0);
    if (prefix === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Math.max(prefix, 0), type);
  }
  return {
    contains(ip) {
      const normalized = normalizeIp(ip);
      if (normalized === undefined) return false;
      return list.check(normalized, isIP(normalized) === 4 ? "ipv4" : "ipv6");
    },
  };
}

function familyOf(ip: string): "ipv4" | "ipv6" {
  return isIP(ip) === 4 ? "ipv4" : "ipv6";
}
