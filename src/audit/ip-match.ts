import { BlockList, isIP } from "node:net";

/**
 * The explorer's IP filter: one address, or a network written as a CIDR
 * (an IPv4 /8, /16, /24; an IPv6 /16 to /128, typically the /64 one
 * subscriber is handed).
 *
 * Stored addresses are security/ip.ts normalizeIp's text. IPv4 text is
 * canonical (Node refuses leading zeros), so an IPv4 network is a text
 * prefix ("203.0.113.") matched in SQL. IPv6 text is not: one /64 prints as
 * "2001:db8::1:2:3:4", "2001:db8:0:0:1::", "2001:db8::" depending on where
 * the zeros fall (and a proxy may write leading zeros a socket would not),
 * so no text prefix matches exactly. IPv6 candidates are therefore read from
 * SQL (any address with a colon, within the search's bounded time window)
 * and kept or dropped here by Node's BlockList, which compares the parsed
 * bits and is exact for every spelling.
 *
 * (node:net rather than security/ip.ts: security records audit events, so
 * audit importing it would make the two folders a cycle.)
 */
export type IpMatch =
  | { kind: "v4"; text: string; address: string }
  | { kind: "v4net"; text: string; prefix: string; bits: 8 | 16 | 24 }
  | { kind: "v6"; text: string; network: BlockList };

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Parses "203.0.113.7", "203.0.113.0/24", "2001:db8::1", "2001:db8:1:2::/64"; undefined if none. */
export function parseIpMatch(raw: string): IpMatch | undefined {
  const [typed = "", bitsText, extra] = raw.trim().split("/");
  if (extra !== undefined) return undefined;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  // "[v6]" as some proxies and people write it; a zone id (fe80::1%eth0) is local detail.
  const address = typed.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const mapped = MAPPED_V4.exec(address)?.[1];
  if (mapped !== undefined && bitsText === undefined && isIP(mapped) === 4) {
    // Stored as plain IPv4 (normalizeIp), so searched as such.
    return { kind: "v4", text: mapped, address: mapped };
  }
  const family = isIP(address);
  if (family === 4) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits === 32) return { kind: "v4", text: address, address };
    if (bits !== 8 && bits !== 16 && bits !== 24) return undefined;
    const octets = address.split(".").slice(0, bits / 8);
    return {
      kind: "v4net",
      text: `${[...octets, ...Array<string>(4 - octets.length).fill("0")].join(".")}/${bits}`,
      prefix: `${octets.join(".")}.`,
      bits,
    };
  }
  if (family !== 6) return undefined;
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (bits < 16 || bits > 128) return undefined;
  const network = new BlockList();
  network.addSubnet(address, bits, "ipv6");
  const lower = address.toLowerCase();
  return { kind: "v6", text: bits === 128 ? lower : `${lower}/${bits}`, network };
}

/** Whether a stored address lies in an IPv6 match (exact for any spelling of the address). */
export function inV6(stored: string | null, match: Extract<IpMatch, { kind: "v6" }>): boolean {
  if (stored === null || isIP(stored) !== 6) return false;
  return match.network.check(stored, "ipv6");
}
