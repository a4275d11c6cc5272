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
 * two kinds (ABBA order) so drift (GC, a busy CI neighbour) hits both alike.
 */
const SAMPLES = 30;
const WARMUP = 4;
const MAX_MEDIAN_GAP_MS = 5;
const ROUNDS = 3;
/** Up to ROUNDS rounds of 2 x 34 requests, some with argon2, on a loaded CI machine. */
const TIMEOUT_MS = 90_000;
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
          "global=100000/1m,register=100000/1h,password_reset=100000/1h,password_reset_ip=100000/1h,verify_resend=100000/1h,login=100000/1h,login_account=100000/1h",
        // High enough that the known account never locks during the rounds below.
        MAX_FAILED_LOGIN_ATTEMPTS: "100",
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

  /**
   * Same statuses and bodies, and the same median time within
   * MAX_MEDIAN_GAP_MS. The statistic is the median of the PAIRED differences
   * (each known request against the unknown one sent right beside it), which
   * estimates the same gap as comparing the two medians but cancels what the
   * rest of the machine does meanwhile: other test files run in parallel and
   * their argon2 bursts shift whole stretches of a run. A round that still
   * misses is measured again (up to ROUNDS): a real leak (one branch doing
   * more work) is systematic and misses every round; noise does not.
   */
  async function expectIndistinguishable(
    path: string,
    fields: (kind: "known" | "unknown", i: number) => Record<string, string>,
    status = 200,
  ) {
    const misses: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const result = await measure(path, (kind, i) => fields(kind, round * 1000 + i));
      expect([...result.known.statuses]).toEqual([status]);
      expect([...result.unknown.statuses]).toEqual([status]);
      expect(result.known.bodies.size).toBe(1);
      expect([...result.unknown.bodies]).toEqual([...result.known.bodies]);
      const paired = median(result.known.ms.map((ms, i) => ms - (result.unknown.ms[i] ?? ms)));
      if (Math.abs(paired) < MAX_MEDIAN_GAP_MS) return;
      misses.push(
        `paired ${paired.toFixed(2)} ms (medians: known ${median(result.known.ms).toFixed(2)}, unknown ${median(result.unknown.ms).toFixed(2)})`,
      );
    }
    expect.fail(
      `timing differs by ${MAX_MEDIAN_GAP_MS} ms or more in every round: ${misses.join("; ")}`,
    );
  }

  it(
    "register: an existing address and a new one",
    async () => {
      await expectIndistinguishable("/auth/register", (kind, i) => ({
        email: kind === "known" ? KNOWN : `new${i}@example.com`,
        password: PASSWORD,
        first_name: "Eve",
        last_name: "Probe",
      }));
    },
    TIMEOUT_MS,
  );

  it(
    "forgot password: an existing address and an unknown one",
    async () => {
      await expectIndistinguishable("/auth/forgot-password", (kind, i) => ({
        email: kind === "known" ? KNOWN : `nobody${i}@example.com`,
      }));
    },
    TIMEOUT_MS,
  );

  it(
    "verification resend: an unverified address and an unknown one",
    async () => {
      await expectIndistinguishable("/auth/verify/resend", (kind, i) => ({
        email: kind === "known" ? KNOWN : `nobody${i}@example.com`,
      }));
    },
    TIMEOUT_MS,
  );

  it(
    "login: a wrong password for an existing address and an unknown address",
    async () => {
      await expectIndistinguishable(
        "/auth/login",
        (kind, i) => ({
          email: kind === "known" ? KNOWN : `nobody${i}@example.com`,
          password: `wrong-password-${i}`,
        }),
        401,
      );
    },
    TIMEOUT_MS,
  );
});
