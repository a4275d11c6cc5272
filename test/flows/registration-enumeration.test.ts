import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfFrom, postWith } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { normalisePage, PASSWORD, seedUser } from "./login-fixture.js";

/**
 * Threat: account enumeration by response or by timing. For register, forgot
 * password and verification resend, an address with an account and one
 * without must get the same status and body, and the median response time
 * of ~30 requests each must be within 5 ms. Requests alternate between the
 * two kinds so drift (GC, a busy CI neighbour) hits both alike.
 */
const SAMPLES = 30;
const WARMUP = 4;
const MAX_MEDIAN_GAP_MS = 5;
const KNOWN = "known@example.com";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

describe.each(availableDialects())("enumeration: same answer, same time (%s)", (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({
      dialect,
      env: {
        RATE_LIMITS:
          "global=100000/1m,register=100000/1h,password_reset=100000/1h,password_reset_ip=100000/1h,verify_resend=100000/1h",
      },
    });
    await seedUser(t, { email: KNOWN, verified: false });
    token = csrfFrom(await (await t.client.get("/auth/register")).text());
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Sends `known(i)` and `unknown(i)` alternately; returns statuses, bodies and durations per kind. */
  async function measure(
    path: string,
    fields: (kind: "known" | "unknown", i: number) => Record<string, string>,
  ) {
    const out = {
      known: { ms: [] as number[], statuses: new Set<number>(), bodies: new Set<string>() },
      unknown: { ms: [] as number[], statuses: new Set<number>(), bodies: new Set<string>() },
    };
    for (let i = 0; i < SAMPLES + WARMUP; i++) {
      for (const kind of i % 2
        ? (["known", "unknown"] as const)
        : (["unknown", "known"] as const)) {
        const form = fields(kind, i);
        const started = performance.now();
        const res = await postWith(t.client, token, path, form);
        const body = await res.text();
        const elapsed = performance.now() - started;
        if (i < WARMUP) continue;
        out[kind].ms.push(elapsed);
        out[kind].statuses.add(res.status);
        out[kind].bodies.add(normalisePage(body, { [form.email ?? ""]: "EMAIL" }));
      }
    }
    return out;
  }

  function expectIndistinguishable(result: Awaited<ReturnType<typeof measure>>) {
    expect([...result.known.statuses]).toEqual([200]);
    expect([...result.unknown.statuses]).toEqual([200]);
    expect(result.known.bodies.size).toBe(1);
    expect([...result.unknown.bodies]).toEqual([...result.known.bodies]);
    const gap = Math.abs(median(result.known.ms) - median(result.unknown.ms));
    expect(
      gap,
      `median known ${median(result.known.ms).toFixed(2)} ms vs unknown ${median(result.unknown.ms).toFixed(2)} ms`,
    ).toBeLessThan(MAX_MEDIAN_GAP_MS);
  }

  it("register: an existing address and a new one", async () => {
    const result = await measure("/auth/register", (kind, i) => ({
      email: kind === "known" ? KNOWN : `new${i}@example.com`,
      password: PASSWORD,
      first_name: "Eve",
      last_name: "Probe",
    }));
    expectIndistinguishable(result);
  });

  it("forgot password: an existing address and an unknown one", async () => {
    expectIndistinguishable(
      await measure("/auth/forgot-password", (kind, i) => ({
        email: kind === "known" ? KNOWN : `nobody${i}@example.com`,
      })),
    );
  });

  it("verification resend: an unverified address and an unknown one", async () => {
    expectIndistinguishable(
      await measure("/auth/verify/resend", (kind, i) => ({
        email: kind === "known" ? KNOWN : `nobody${i}@example.com`,
      })),
    );
  });
});
