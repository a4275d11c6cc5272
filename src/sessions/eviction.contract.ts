import { randomBytes } from "node:crypto";
import { afterEach, expect, it } from "vitest";
import { waitFor } from "../../test/flows/session-eviction-fixture.js";
import { captureLogger } from "../../test/logs.js";
import { systemRandom } from "../lib/random.js";
import { createMetrics } from "../monitoring/metrics.js";
import {
  createSessionEvictions,
  type EvictionChannel,
  type EvictionMessage,
  type SessionEvictions,
} from "./eviction.js";

export interface ChannelHarness {
  /** A fresh channel adapter on `name` (each instance of a deployment makes its own). */
  open(name: string): EvictionChannel;
  /** Puts a raw payload on the channel, as anything else with access to it could. */
  publishRaw(name: string, payload: string): Promise<void>;
  /** Ends the listening connections on `name` from the server's side; they must come back. */
  dropListeners(name: string): Promise<void>;
}

interface Instance {
  evictions: SessionEvictions;
  received: EvictionMessage[];
  resyncs: number;
  logs: Array<Record<string, unknown>>;
}

const SESSION = "a".repeat(64);

/**
 * The SessionEvictions port over one transport adapter: run against Redis
 * pub/sub and PostgreSQL LISTEN/NOTIFY (each *.test.ts beside this file).
 */
export function evictionChannelContract(makeHarness: () => ChannelHarness): void {
  const open: Instance[] = [];
  let n = 0;
  // Plain identifiers (PostgreSQL channel names), unique per run and test.
  const run = randomBytes(6).toString("hex");
  const channelName = () => `evict_contract_${run}_${++n}`;

  afterEach(async () => {
    for (const instance of open.splice(0)) await instance.evictions.close();
  });

  const start = async (harness: ChannelHarness, name: string): Promise<Instance> => {
    const { logger, lines } = captureLogger();
    const evictions = createSessionEvictions({
      channel: harness.open(name),
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      random: systemRandom(),
    });
    const instance: Instance = { evictions, received: [], resyncs: 0, logs: lines };
    evictions.subscribe({
      evict: (m) => instance.received.push(m),
      resync: () => {
        instance.resyncs += 1;
      },
    });
    evictions.start();
    open.push(instance);
    await waitFor(() => evictions.connected, { timeoutMs: 10_000, what: "listening" });
    return instance;
  };

  it("delivers a message to the other instances, not back to its sender", async () => {
    const harness = makeHarness();
    const name = channelName();
    const a = await start(harness, name);
    const b = await start(harness, name);
    const c = await start(harness, name);
    a.evictions.publish({ kind: "session", id: SESSION });
    a.evictions.publish({ kind: "user", id: "0190f1a2-0000-7000-8000-000000000001" });
    await waitFor(() => b.received.length === 2 && c.received.length === 2, {
      timeoutMs: 5000,
      what: "both messages on B and C",
    });
    expect(b.received).toEqual([
      { kind: "session", id: SESSION },
      { kind: "user", id: "0190f1a2-0000-7000-8000-000000000001" },
    ]);
    // A applied them when it published: its handler hears nothing back.
    await new Promise((done) => setTimeout(done, 50));
    expect(a.received).toEqual([]);
    // Subscribing counts as a resync once (nothing cached before can be trusted).
    expect([a.resyncs, b.resyncs, c.resyncs]).toEqual([1, 1, 1]);
  });

  it("never hears another channel (another schema, another deployment)", async () => {
    const harness = makeHarness();
    const a = await start(harness, channelName());
    const b = await start(harness, channelName());
    const c = await start(harness, b.evictions.channel);
    a.evictions.publish({ kind: "session", id: SESSION });
    c.evictions.publish({ kind: "user", id: "someone" });
    await waitFor(() => b.received.length === 1, { timeoutMs: 5000, what: "C's message on B" });
    expect(b.received).toEqual([{ kind: "user", id: "someone" }]);
  });

  it("ignores and counts what is not a message, and keeps listening", async () => {
    const harness = makeHarness();
    const name = channelName();
    const b = await start(harness, name);
    const a = await start(harness, name);
    for (const junk of ["{", "42", '{"v":1,"from":"x","kind":"session","id":"../../etc"}']) {
      await harness.publishRaw(name, junk);
    }
    a.evictions.publish({ kind: "session", id: SESSION });
    await waitFor(() => b.received.length === 1, { timeoutMs: 5000, what: "the real message" });
    expect(b.received).toEqual([{ kind: "session", id: SESSION }]);
    expect(b.evictions.connected).toBe(true);
  });

  it("comes back by itself when its connection is dropped, resyncing once", async () => {
    const harness = makeHarness();
    const name = channelName();
    const a = await start(harness, name);
    const b = await start(harness, name);
    await harness.dropListeners(name);
    await waitFor(() => b.resyncs === 2 && a.resyncs === 2, {
      timeoutMs: 10_000,
      what: "both listening again",
    });
    expect(b.logs.filter((l) => /eviction channel unavailable/.test(String(l.msg)))).toHaveLength(
      1,
    );
    expect(b.logs.filter((l) => /eviction channel restored/.test(String(l.msg)))).toHaveLength(1);
    a.evictions.publish({ kind: "user", id: "after-the-gap" });
    await waitFor(() => b.received.length === 1, { timeoutMs: 5000, what: "a message after" });
  });

  it("stops listening when closed; closing twice is fine", async () => {
    const harness = makeHarness();
    const name = channelName();
    const a = await start(harness, name);
    const b = await start(harness, name);
    await b.evictions.close();
    await b.evictions.close();
    a.evictions.publish({ kind: "session", id: SESSION });
    // Publishing after close is a no-op, not an error.
    b.evictions.publish({ kind: "session", id: SESSION });
    await new Promise((done) => setTimeout(done, 100));
    expect(b.received).toEqual([]);
  });
}
