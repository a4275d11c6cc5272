import { afterEach, describe, expect, it } from "vitest";
import { login, seedUser } from "../../test/flows/login-fixture.js";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { createDbFigures } from "./db-gauges.js";
import { quantileMs } from "./latency-buckets.js";
import { SAMPLE_INTERVAL_MS, type Sample } from "./sample.js";
import { mergeSamples } from "./sample-history.js";
import { createSampler } from "./sampler.js";

let t: TestApp | undefined;
afterEach(async () => {
  t?.deps.sampler.stop();
  await t?.close();
  t = undefined;
});

describe("monitoring sampler", () => {
  it("records what happened between two samples: requests, 5xx, latency, sign-ins, log errors", async () => {
    t = await createTestApp();
    await seedUser(t);
    await t.deps.sampler.sampleNow(); // baseline
    t.clock.advance(SAMPLE_INTERVAL_MS);

    for (let i = 0; i < 5; i++) await t.client.get("/");
    for (let i = 0; i < 3; i++) await t.client.get(`/no-such-page-${i}`);
    await login(t.newClient(), { password: "not the password" });
    await login(t.newClient());
    t.deps.logger.error("something broke");
    t.deps.logger.fatal("something broke badly");
    // What the request middleware counts for a handler that threw (a 500 and a 503).
    t.deps.metrics.httpRequestsTotal.inc({ method: "GET", route: "/boom", status: "500" });
    t.deps.metrics.httpRequestsTotal.inc({ method: "GET", route: "/boom", status: "503" });

    const sample = await t.deps.sampler.sampleNow();
    // 5 home pages, 3 not-found, 2 × (login page + login POST), and the two failures.
    expect(sample.requests).toBe(14);
    expect(sample.errors).toBe(2);
    expect(sample.p50Ms).toBeGreaterThan(0);
    expect(sample.p95Ms).toBeGreaterThanOrEqual(sample.p50Ms ?? 0);
    expect(sample.signInsOk).toBe(1);
    expect(sample.signInsFailed).toBe(1);
    expect(sample.errorsLogged).toBe(2);
    expect(sample.sessionsActive).toBe(1);
    expect(sample.outboxPending).toBeGreaterThanOrEqual(0);
    expect(sample.outboxDead).toBe(0);
    expect(sample.intervalMs).toBe(SAMPLE_INTERVAL_MS);
    expect(sample.at).toEqual(t.clock.now());
    expect(sample.rssMb).toBeGreaterThan(10);

    // Nothing happened since: the next interval counts nothing.
    t.clock.advance(SAMPLE_INTERVAL_MS);
    const quiet = await t.deps.sampler.sampleNow();
    expect(quiet).toMatchObject({ requests: 0, errors: 0, signInsFailed: 0, errorsLogged: 0 });
    expect(quiet.p95Ms).toBeUndefined();
    expect(t.deps.sampler.latest()).toBe(quiet);
  });

  it("keeps the last hour at full resolution and the day in 5-minute points, bounded", async () => {
    t = await createTestApp();
    // Start on a 5-minute boundary so the first 30 samples fill exactly one point.
    t.clock.set("2026-01-15T12:00:00.000Z");
    for (let i = 0; i < 400; i++) {
      t.clock.advance(SAMPLE_INTERVAL_MS);
      await t.deps.sampler.sampleNow();
    }
    const hour = t.deps.sampler.lastHour();
    expect(hour).toHaveLength(360);
    expect(hour.at(-1)?.at).toEqual(t.clock.now());
    expect(t.deps.sampler.within(60_000)).toHaveLength(6);
    // 400 samples of 10 s: points of 30 samples each (the first lacks the one at 12:00:00).
    const points = t.deps.sampler.lastDay();
    expect(points).toHaveLength(14);
    expect(points[1]?.intervalMs).toBe(30 * SAMPLE_INTERVAL_MS);

    // A day and more later, one sample per 5 minutes: the day keeps its last 288 points.
    for (let i = 0; i < 300; i++) {
      t.clock.advance(5 * 60_000);
      await t.deps.sampler.sampleNow();
    }
    expect(t.deps.sampler.lastDay()).toHaveLength(288);
    expect(t.deps.sampler.lastDay().at(-1)?.at).toEqual(t.clock.now());
    expect(t.deps.sampler.lastHour()).toHaveLength(360);
    expect(t.deps.sampler.within(3_600_000)).toHaveLength(12);
  });

  it("a database that stops answering leaves gaps in its figures, not a failed sample", async () => {
    t = await createTestApp();
    const { metrics, clock, logTally, logger } = t.deps;
    // The port as a closed database behaves: every statement rejects.
    const refusing = Object.create(t.deps.db, {
      one: { value: () => Promise.reject(new Error("database is closed")) },
    });
    const dbFigures = createDbFigures({ db: refusing, clock });
    const sampler = createSampler({ metrics, clock, logTally, logger, dbFigures });
    const sample = await sampler.sampleNow();
    expect(sample.outboxPending).toBeUndefined();
    expect(sample.outboxDead).toBeUndefined();
    expect(sample.sessionsActive).toBeUndefined();
    expect(sample.rssMb).toBeGreaterThan(0);
  });

  it("tells its listeners about each sample, and a failing listener does not stop the others", async () => {
    t = await createTestApp();
    const seen: Sample[] = [];
    t.deps.sampler.onSample(() => {
      throw new Error("listener bug");
    });
    t.deps.sampler.onSample((s) => {
      seen.push(s);
    });
    const sample = await t.deps.sampler.sampleNow();
    expect(seen).toEqual([sample]);
    expect(t.logs.some((l) => l.msg === "monitoring sample listener failed")).toBe(true);
  });

  it("start takes a first sample at once and stop ends the schedule", async () => {
    t = await createTestApp();
    const first = new Promise<Sample>((resolve) => t?.deps.sampler.onSample(resolve));
    t.deps.sampler.start();
    t.deps.sampler.start(); // a second start is a no-op
    expect((await first).at).toEqual(t.clock.now());
    t.deps.sampler.stop();
    expect(t.deps.sampler.lastHour()).toHaveLength(1);
  });
});

describe("quantiles from histogram buckets", () => {
  const buckets = (pairs: Array<[number, number]>) => new Map(pairs);

  it("interpolates inside the bucket holding the rank, like histogram_quantile", () => {
    // 100 requests: 50 under 10 ms, 90 under 50 ms, all under 100 ms.
    const b = buckets([
      [0.01, 50],
      [0.05, 90],
      [0.1, 100],
      [Number.POSITIVE_INFINITY, 100],
    ]);
    expect(quantileMs(b, 0.5)).toBe(10);
    expect(quantileMs(b, 0.95)).toBe(75);
  });

  it("is undefined without observations, and the top bound when the rank is in +Inf", () => {
    expect(quantileMs(buckets([[Number.POSITIVE_INFINITY, 0]]), 0.5)).toBeUndefined();
    const slow = buckets([
      [0.01, 0],
      [10, 1],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    expect(quantileMs(slow, 0.95)).toBe(10_000);
  });
});

describe("5-minute points", () => {
  const base: Sample = {
    at: new Date("2026-01-15T12:00:10Z"),
    intervalMs: 10_000,
    requests: 10,
    errors: 1,
    p50Ms: 10,
    p95Ms: 40,
    sessionsActive: 4,
    signInsOk: 1,
    signInsFailed: 2,
    rssMb: 100,
    heapUsedMb: 50,
    cpuPercent: 10,
    eventLoopP99Ms: 2,
    outboxPending: 0,
    outboxDead: 0,
    cspViolations: 0,
    rateLimited: 1,
    errorsLogged: 0,
  };

  it("add counts, average levels, keep the worst tail latency", () => {
    const next: Sample = {
      ...base,
      at: new Date("2026-01-15T12:00:20Z"),
      requests: 30,
      p50Ms: 20,
      p95Ms: 30,
      rssMb: 200,
      eventLoopP99Ms: 9,
      sessionsActive: undefined,
    };
    const point = mergeSamples(base, next, 1);
    expect(point).toMatchObject({
      at: next.at,
      intervalMs: 20_000,
      requests: 40,
      errors: 2,
      p50Ms: 17.5,
      p95Ms: 40,
      rssMb: 150,
      eventLoopP99Ms: 9,
      sessionsActive: 4,
      signInsFailed: 4,
      rateLimited: 2,
    });
  });
});
