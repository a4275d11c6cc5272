import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import fc from "fast-check";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { loadConfig, type TrustProxy } from "../config/env.js";
import { clientIpMiddleware, rateLimitKeyForIp, UNKNOWN_IP } from "./client-ip.js";
import { expandIpv6, normalizeIp, trustedNetworks } from "./ip.js";

/** TRUST_PROXY as the config loader parses it, so tests cover the real path from env to resolver. */
function trust(value?: string): TrustProxy {
  const env: Record<string, string> = { NODE_ENV: "test" };
  if (value !== undefined) env.TRUST_PROXY = value;
  return loadConfig({ env, dotenv: false }).security.trustProxy;
}

function appFor(trustProxy: TrustProxy) {
  const app = new Hono();
  app.use(clientIpMiddleware(trustProxy));
  app.get("/", (c) => c.text(c.get("clientIp")));
  return app;
}

/** app.request() has no socket; @hono/node-server's getConnInfo reads env.incoming.socket. */
async function ipSeen(app: Hono, socket: string | undefined, xff?: string): Promise<string> {
  const headers: Record<string, string> = xff === undefined ? {} : { "X-Forwarded-For": xff };
  const env =
    socket === undefined ? undefined : { incoming: { socket: { remoteAddress: socket } } };
  const res = await app.request("/", { headers }, env);
  return res.text();
}

describe("client IP without TRUST_PROXY (default)", () => {
  const app = appFor(trust());

  it("uses the socket address", async () => {
    expect(await ipSeen(app, "203.0.113.7")).toBe("203.0.113.7");
  });

  it("ignores a forged X-Forwarded-For (threat: fresh rate-limit identity per request)", async () => {
    expect(await ipSeen(app, "203.0.113.7", "1.2.3.4")).toBe("203.0.113.7");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string())), async (forged) => {
        expect(await ipSeen(app, "203.0.113.7", forged.join(", "))).toBe("203.0.113.7");
      }),
      { numRuns: 50 },
    );
  });

  it("normalises IPv4-mapped IPv6 so one client has one identity", async () => {
    expect(await ipSeen(app, "::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it('answers "unknown" when there is no socket (app.request without env)', async () => {
    expect(await ipSeen(app, undefined, "1.2.3.4")).toBe(UNKNOWN_IP);
  });

  it("reads the peer of a real TCP connection", async () => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { "X-Forwarded-For": "9.9.9.9" },
      });
      expect(await res.text()).toBe("127.0.0.1");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("client IP with TRUST_PROXY as a hop count", () => {
  // Each header is sent by the proxy at 10.0.0.1; the client is 198.51.100.1 every time.
  it.each([
    ["1 hop: the address our proxy appended (rightmost)", "1", "6.6.6.6, 198.51.100.1"],
    [
      "2 hops: the second from the right; anything further left is client-written",
      "2",
      "6.6.6.6, 198.51.100.1, 10.0.0.2",
    ],
    ["a shorter header than the hop count yields its leftmost entry", "3", "198.51.100.1"],
    [
      "stops at an unparsable entry and keeps the last good address",
      "2",
      "not-an-ip, 198.51.100.1",
    ],
  ])("%s", async (_title, hops, forwardedFor) => {
    const app = appFor(trust(hops));
    expect(await ipSeen(app, "10.0.0.1", forwardedFor)).toBe("198.51.100.1");
  });

  it("no header: the socket address", async () => {
    expect(await ipSeen(appFor(trust("1")), "198.51.100.1")).toBe("198.51.100.1");
  });
});

describe("client IP with TRUST_PROXY as a CIDR list", () => {
  const app = appFor(trust("10.0.0.0/8, fd00::/8, 192.0.2.1"));

  it("ignores the header when the socket is not a trusted proxy (threat: direct forged request)", async () => {
    expect(await ipSeen(app, "203.0.113.9", "1.2.3.4")).toBe("203.0.113.9");
  });

  it("walks from the right, skipping trusted proxies, to the first untrusted address", async () => {
    expect(await ipSeen(app, "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3, 192.0.2.1")).toBe(
      "198.51.100.1",
    );
  });

  it("works for IPv6 proxies and mapped sockets", async () => {
    expect(await ipSeen(app, "fd00::1", "2001:db8::5")).toBe("2001:db8::5");
    expect(await ipSeen(app, "::ffff:10.0.0.2", "198.51.100.1")).toBe("198.51.100.1");
  });

  it("all hops trusted: the leftmost", async () => {
    expect(await ipSeen(app, "10.0.0.2", "10.9.9.9, 10.0.0.3")).toBe("10.9.9.9");
  });

  it("stops at garbage with the last trusted hop that reported it", async () => {
    expect(await ipSeen(app, "10.0.0.2", "<script>, 10.0.0.3")).toBe("10.0.0.3");
  });
});

describe("address helpers", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::FFFF:0102:0304", "1.2.3.4"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["1.2.3.4:5678", "1.2.3.4"],
    ["FE80::1%eth0", "fe80::1"],
  ])("normalizeIp(%j) = %j", (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each(["not-an-ip", "", "[::1"])("normalizeIp(%j) = undefined", (input) => {
    expect(normalizeIp(input)).toBe(undefined);
  });

  it("groups IPv6 by /64 and keeps IPv4 whole (threat: rotating through a /64)", () => {
    expect(rateLimitKeyForIp("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKeyForIp("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKeyForIp("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(rateLimitKeyForIp("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitKeyForIp("198.51.100.1")).toBe("198.51.100.1");
    expect(rateLimitKeyForIp("::ffff:198.51.100.1")).toBe("198.51.100.1");
    expect(rateLimitKeyForIp("unknown")).toBe("unknown");
  });

  it("every IPv6 address expands to 8 groups and keys by its own first four", () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const groups = expandIpv6(ip);
        expect(groups).toHaveLength(8);
        for (const g of groups ?? []) expect(g >= 0 && g <= 0xffff).toBe(true);
        const key = rateLimitKeyForIp(ip);
        const first4 = (groups ?? []).slice(0, 4).map((g) => g.toString(16));
        const mapped = (groups ?? []).slice(0, 5).every((g) => g === 0) && groups?.[5] === 0xffff;
        expect(key).toBe(mapped ? normalizeIp(ip) : `${first4.join(":")}::/64`);
      }),
    );
  });

  it("matches mapped-IPv6 CIDRs against IPv4 clients", () => {
    const nets = trustedNetworks(["::ffff:10.0.0.0/104"]);
    expect(nets.contains("10.200.0.1")).toBe(true);
    expect(nets.contains("11.0.0.1")).toBe(false);
    expect(nets.contains("garbage")).toBe(false);
  });
});
