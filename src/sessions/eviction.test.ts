import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { captureLogger } from "../../test/logs.js";
import { systemRandom } from "../lib/random.js";
import { createMetrics, type Metrics } from "../monitoring/metrics.js";
import {
  type ChannelEvents,
  createSessionEvictions,
  decodeEviction,
  type EvictionChannel,
  type EvictionMessage,
  encodeEviction,
  localOnlyChannel,
  MAX_EVICTION_PAYLOAD,
} from "./eviction.js";

const SESSION = "0f".repeat(32);
const USER = "0190f1a2-3b4c-7d5e-8f60-718293a4b5c6";

describe("eviction messages on the wire", () => {
  it("round-trip a session id and a user id, and carry nothing else", () => {
    for (const message of [
      { kind: "session", id: SESSION },
      { kind: "user", id: USER },
    ] as EvictionMessage[]) {
      const payload = encodeEviction("origin1", message);
      expect(JSON.parse(payload)).toEqual({ v: 1, from: "origin1", ...message });
      expect(decodeEviction(payload)).toEqual({ origin: "origin1", message });
    }
  });

  it.each([
    ["not JSON", "not json"],
    ["empty", ""],
    ["JSON null", "null"],
    ["an array", "[]"],
    ["a string", '"session"'],
    ["no version", JSON.stringify({ from: "o", kind: "user", id: USER })],
    ["another version", JSON.stringify({ v: 2, from: "o", kind: "user", id: USER })],
    ["no origin", JSON.stringify({ v: 1, kind: "user", id: USER })],
    ["an unknown kind", JSON.stringify({ v: 1, from: "o", kind: "all", id: USER })],
    [
      "a raw cookie token as session id",
      JSON.stringify({ v: 1, from: "o", kind: "session", id: "A".repeat(43) }),
    ],
    [
      "an upper-case hash",
      JSON.stringify({ v: 1, from: "o", kind: "session", id: SESSION.toUpperCase() }),
    ],
    ["a number id", JSON.stringify({ v: 1, from: "o", kind: "user", id: 42 })],
    ["an object id", JSON.stringify({ v: 1, from: "o", kind: "user", id: { $ne: null } })],
    ["SQL in the id", JSON.stringify({ v: 1, from: "o", kind: "user", id: "x' OR '1'='1" })],
    ["unicode in the id", JSON.stringify({ v: 1, from: "o", kind: "user", id: "ユーザー" })],
    ["an id too long", JSON.stringify({ v: 1, from: "o", kind: "user", id: "u".repeat(65) })],
    ["an origin too long", JSON.stringify({ v: 1, from: "o".repeat(65), kind: "user", id: USER })],
    ["a prototype key", '{"__proto__":{"v":1},"from":"o","kind":"user","id":"x"}'],
  ])("refuse %s", (_what, payload) => {
    expect(decodeEviction(payload)).toBeUndefined();
  });

  it("refuse anything over the size limit without parsing it", () => {
    const padded = JSON.stringify({
      v: 1,
      from: "o",
      kind: "user",
      id: USER,
      pad: "x".repeat(MAX_EVICTION_PAYLOAD),
    });
    expect(decodeEviction(padded)).toBeUndefined();
    expect(decodeEviction("[".repeat(1_000_000))).toBeUndefined();
  });

  it("never throw, whatever arrives", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (payload) => {
        const decoded = decodeEviction(payload);
        if (decoded) expect(["session", "user"]).toContain(decoded.message.kind);
      }),
    );
  });
});

/** An adapter the test drives by hand: which events arrive, and whether sends fail. */
function scriptedChannel() {
  let events: ChannelEvents | undefined;
  const sent: string[] = [];
  let failSends = false;
  const channel: EvictionChannel = {
    transport: "redis",
    name: "test-channel",
    async publish(payload) {
      if (failSends) throw new Error("Connection is closed.");
      sent.push(payload);
    },
    listen(e) {
      events = e;
    },
    close: async () => {},
  };
  return {
    channel,
    sent,
    failSends: (on: boolean) => {
      failSends = on;
    },
    events: () => {
      if (!events) throw new Error("not listening");
      return events;
    },
  };
}

async function value(metrics: Metrics, name: string, labels: Record<string, string>) {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    ?.value;
}

function setup() {
  const scripted = scriptedChannel();
  const { logger, lines } = captureLogger("debug");
  const metrics = createMetrics({ defaultMetrics: false });
  const evictions = createSessionEvictions({
    channel: scripted.channel,
    logger,
    metrics,
    random: systemRandom(),
  });
  const got = { evicted: [] as EvictionMessage[], resyncs: 0 };
  evictions.subscribe({
    evict: (m) => got.evicted.push(m),
    resync: () => {
      got.resyncs += 1;
    },
  });
  expect(() => scripted.events()).toThrow(/not listening/);
  evictions.start();
  evictions.start();
  const warned = (re: RegExp) => lines.filter((l) => l.level === 40 && re.test(String(l.msg)));
  const info = (re: RegExp) => lines.filter((l) => l.level === 30 && re.test(String(l.msg)));
  return { ...scripted, evictions, metrics, got, lines, warned, info };
}

describe("the eviction port over an adapter", () => {
  it("applies other instances' messages and skips its own echo", () => {
    const s = setup();
    s.events().up();
    s.evictions.publish({ kind: "user", id: USER });
    return Promise.resolve().then(() => {
      const own = s.sent[0] as string;
      s.events().message(own);
      s.events().message(encodeEviction("another", { kind: "session", id: SESSION }));
      expect(s.got.evicted).toEqual([{ kind: "session", id: SESSION }]);
    });
  });

  it("threat: a flapping connection. One warning per outage, one line per recovery, a resync each time", async () => {
    const s = setup();
    expect(s.evictions.connected).toBe(false);
    s.events().up();
    // The first subscription resyncs too (rows cached before it may have missed a message) but is not a "recovery".
    expect(s.got.resyncs).toBe(1);
    expect(s.info(/restored/)).toHaveLength(0);
    expect(await value(s.metrics, "session_eviction_connected", { transport: "redis" })).toBe(1);

    for (let i = 0; i < 5; i++) s.events().down(new Error("ECONNREFUSED"));
    expect(s.evictions.connected).toBe(false);
    expect(s.warned(/eviction channel unavailable/)).toHaveLength(1);
    expect(await value(s.metrics, "session_eviction_connected", { transport: "redis" })).toBe(0);
    expect(
      await value(s.metrics, "session_eviction_errors_total", { reason: "disconnected" }),
    ).toBe(1);

    s.events().up();
    s.events().up();
    expect(s.got.resyncs).toBe(2);
    expect(s.info(/eviction channel restored/)).toHaveLength(1);
    expect(s.evictions.connected).toBe(true);
  });

  it("counts a failed send and logs it; the caller never sees an error", async () => {
    const s = setup();
    s.events().up();
    s.failSends(true);
    expect(() => s.evictions.publish({ kind: "session", id: SESSION })).not.toThrow();
    await s.evictions.flush();
    expect(await value(s.metrics, "session_eviction_errors_total", { reason: "publish" })).toBe(1);
    expect(s.warned(/eviction not sent/)).toHaveLength(1);
    s.failSends(false);
    s.evictions.publish({ kind: "session", id: SESSION });
    await s.evictions.flush();
    expect(await value(s.metrics, "session_evictions_published_total", { kind: "session" })).toBe(
      1,
    );
  });

  it("ignores and counts malformed messages, logging their size, never their content", async () => {
    const s = setup();
    s.events().up();
    s.events().message("<script>alert(1)</script>");
    s.events().message("x".repeat(100_000));
    expect(s.got.evicted).toEqual([]);
    expect(await value(s.metrics, "session_eviction_errors_total", { reason: "malformed" })).toBe(
      2,
    );
    const logged = JSON.stringify(s.lines);
    expect(logged).not.toContain("<script>");
    expect(logged).toContain('"bytes":100000');
  });

  it("after close: no sends, no events applied", async () => {
    const s = setup();
    s.events().up();
    await s.evictions.close();
    s.evictions.publish({ kind: "user", id: USER });
    s.events().down();
    await new Promise((done) => setImmediate(done));
    expect(s.sent).toEqual([]);
    expect(s.warned(/unavailable/)).toHaveLength(0);
  });

  it("allows one subscriber", () => {
    const s = setup();
    expect(() => s.evictions.subscribe({ evict: () => {}, resync: () => {} })).toThrow(
      /one subscriber/,
    );
  });
});

describe("one process without a shared store", () => {
  it("is always 'connected' and sends nothing", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const evictions = createSessionEvictions({
      channel: localOnlyChannel,
      logger: captureLogger().logger,
      metrics,
      random: systemRandom(),
    });
    evictions.subscribe({ evict: () => {}, resync: () => {} });
    evictions.start();
    evictions.publish({ kind: "user", id: USER });
    expect(evictions.transport).toBe("none");
    expect(evictions.connected).toBe(true);
    expect(await value(metrics, "session_eviction_connected", { transport: "none" })).toBe(1);
    expect(await value(metrics, "session_evictions_published_total", { kind: "user" })).toBe(0);
    await evictions.close();
  });
});
