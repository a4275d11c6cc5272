import { afterEach, describe, expect, it } from "vitest";
import { availableDialects } from "../../test/harness.js";
import { openOutboxDb } from "../../test/outbox-fixture.js";
import { fixedClock } from "../lib/clock.js";
import { createLease, leaseHolder } from "./lease.js";

const TTL_MS = 30_000;

/**
 * Threat: a background job run twice at once by two instances (two alert
 * notices for one firing, two retention passes), or never again after its
 * runner died. Two connections play two instances on one database.
 */
describe.each(availableDialects())("job lease (%s)", (dialect) => {
  let env: Awaited<ReturnType<typeof openOutboxDb>> | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  async function twoInstances() {
    env = await openOutboxDb(dialect);
    const clock = fixedClock();
    const other = await env.another();
    const a = createLease({ db: env.db, clock, name: "job", holder: "a", ttlMs: TTL_MS });
    const b = createLease({ db: other, clock, name: "job", holder: "b", ttlMs: TTL_MS });
    return { clock, a, b, db: env.db };
  }

  it("two holders racing for a free lease: exactly one wins, and keeps it while renewing", async () => {
    const { clock, a, b } = await twoInstances();
    for (let round = 0; round < 5; round++) {
      const [wonA, wonB] = await Promise.all([a.acquire(), b.acquire()]);
      expect([wonA, wonB].filter(Boolean)).toHaveLength(1);
      clock.advance(TTL_MS / 3);
    }
    // The first winner renewed every round, so it still holds it.
    const first = (await a.acquire()) ? a : b;
    expect(await (first === a ? b : a).acquire()).toBe(false);
  });

  it("many contenders at once, repeatedly: one holder each time", async () => {
    const { clock, db } = await twoInstances();
    const leases = ["h1", "h2", "h3", "h4", "h5", "h6"].map((holder) =>
      createLease({ db, clock, name: "race", holder, ttlMs: TTL_MS }),
    );
    for (let round = 0; round < 3; round++) {
      const won = await Promise.all(leases.map((l) => l.acquire()));
      expect(won.filter(Boolean)).toHaveLength(1);
      clock.advance(TTL_MS); // expired: the next round is a fresh race
    }
  });

  it("an expired lease passes to the next holder; the old one cannot take it back", async () => {
    const { clock, a, b, db } = await twoInstances();
    expect(await a.acquire()).toBe(true);
    clock.advance(TTL_MS - 1);
    expect(await b.acquire()).toBe(false);
    clock.advance(1); // a stopped renewing: expired exactly now
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
    expect(await leaseHolder(db, "job")).toEqual({
      holder: "b",
      expiresAt: new Date(clock.now().getTime() + TTL_MS),
    });
  });

  it("release hands over at once; releasing a lease held by another changes nothing", async () => {
    const { a, b } = await twoInstances();
    expect(await a.acquire()).toBe(true);
    await b.release(); // not b's: no effect
    expect(await b.acquire()).toBe(false);
    await a.release();
    expect(await b.acquire()).toBe(true);
    await a.release(); // a no longer holds it: b keeps it
    expect(await a.acquire()).toBe(false);
  });

  it("confirm inside a transaction: true while held, false once another took over", async () => {
    const { clock, a, b, db } = await twoInstances();
    expect(await a.acquire()).toBe(true);
    expect(await db.transaction((tx) => a.confirm(tx))).toBe(true);
    clock.advance(TTL_MS); // a paused longer than the TTL
    expect(await db.transaction((tx) => a.confirm(tx))).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect(await db.transaction((tx) => a.confirm(tx))).toBe(false);
  });

  it("leases of different names are independent", async () => {
    const { clock, db } = await twoInstances();
    const one = createLease({ db, clock, name: "alerts", holder: "x", ttlMs: TTL_MS });
    const two = createLease({ db, clock, name: "retention", holder: "y", ttlMs: TTL_MS });
    expect(await one.acquire()).toBe(true);
    expect(await two.acquire()).toBe(true);
    expect(await leaseHolder(db, "nothing")).toBeUndefined();
  });
});
