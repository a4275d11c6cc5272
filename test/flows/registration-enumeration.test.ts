import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfFrom, postWith } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { judgeTiming, type TimingKind, type TimingVerdict, trialOrder } from "../timing.js";
import { normalisePage, PASSWORD, seedUser } from "./login-fixture.js";

/**
 * Threat: account enumeration by response or by timing. For login (a wrong
 * password), register, forgot password and verification resend, an address
 * with an account and one without must get the same status and body, and
 * the same response time: the paired difference known - unknown must match
 * the paired difference of two unknown addresses (the control) measured in
 * the same run, within what the control's own spread allows (test/timing.ts).
 * The test fails only on a gap that stands out from this run's noise; on a
 * machine too busy to tell even after MAX_TRIALS it passes with a warning.
 *
 * DuckDB runs on a FILE here, as in production: there a committed write
 * transaction also writes the WAL (5-20 ms measured), the cost that told
 * known addresses apart (issue 9 item 2). In memory that cost disappears and
 * so would the test's power.
 *
 * Work a response schedules for afterwards (a reset mail: jobs/background.ts)
 * is settled between requests, outside the timed span: each measurement is
 * that response's own path, whatever the previous request left behind.
 */
/** Trials per look; the verdict is taken after each batch on everything so far. */
const BATCH = 40;
const WARMUP = 4;
/**
 * At most this many trials, or this long measuring: a run that noisy has told
 * us nothing and passes with a warning. The statement check below is the
 * load-independent guard; this one measures what an attacker would.
 */
const MAX_TRIALS = 240;
const MAX_MEASURE_MS = 20_000;
/** A gap this small is no leak (the fixed paths differ by microseconds); the old leaks were 5-20 ms. */
const FLOOR_MS = 1;
/**
 * Standard errors a gap must stand out by to count as a leak. Four keeps a
 * false alarm below 1 in 10,000 per look on a healthy app, however busy the
 * machine: noise widens the standard error, never the verdict.
 */
const Z = 4;
/** "same" needs a run precise enough to have caught a leak this big. */
const PRECISION_MS = 4;
/** Up to MAX_TRIALS x 3 requests, some with argon2, on a loaded 2-core machine. */
const TIMEOUT_MS = 300_000;

describe.each(availableDialects())("enumeration: same answer, same time (%s)", (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({
      dialect,
      duckdbFile: dialect === "duckdb",
      env: {
        RATE_LIMITS:
          "global=100000/1m,register=100000/1h,password_reset=100000/1h,password_reset_ip=100000/1h,verify_resend=100000/1h,login=100000/1h,login_account=100000/1h",
        MAX_FAILED_LOGIN_ATTEMPTS: "100",
      },
    });
    token = csrfFrom(await (await t.client.get("/auth/register")).text());
  });
  afterAll(async () => {
    await t?.close();
  });

  let accounts = 0;
  /**
   * A fresh active, unverified account per batch: at most BATCH wrong passwords each,
   * so none ever reaches MAX_FAILED_LOGIN_ATTEMPTS and takes the locked path.
   */
  async function knownAddress(): Promise<string> {
    accounts += 1;
    const email = `known-${accounts}@example.com`;
    await seedUser(t, { email, verified: false });
    return email;
  }

  /**
   * Sends trials of the three kinds (rotating order) in batches, and after
   * each batch judges all trials so far: stop at the first "leak" or "same".
   * A healthy app on a quiet machine is judged "same" after one batch.
   */
  async function expectIndistinguishable(
    path: string,
    fields: (email: string, trial: number) => Record<string, string>,
    status = 200,
  ) {
    let known = "";
    const ms: Record<TimingKind, number[]> = { known: [], unknown: [], control: [] };
    const statuses = new Set<number>();
    const bodies = new Set<string>();
    let verdict: TimingVerdict | undefined;
    const began = performance.now();
    for (let trial = -WARMUP; trial < MAX_TRIALS; trial++) {
      if (trial === -WARMUP || (trial > 0 && trial % BATCH === 0)) known = await knownAddress();
      for (const kind of trialOrder(trial + WARMUP)) {
        const email = kind === "known" ? known : `${kind}-${accounts}-${trial}@example.com`;
        const started = performance.now();
        const res = await postWith(t.client, token, path, fields(email, trial));
        const body = await res.text();
        const elapsed = performance.now() - started;
        await t.settle();
        if (trial < 0) continue;
        ms[kind].push(elapsed);
        statuses.add(res.status);
        bodies.add(normalisePage(body, { [email]: "EMAIL" }));
      }
      if ((trial + 1) % BATCH !== 0) continue;
      verdict = judgeTiming(ms, { floorMs: FLOOR_MS, z: Z, precisionMs: PRECISION_MS });
      if (verdict.verdict !== "undecided" || performance.now() - began > MAX_MEASURE_MS) break;
    }
    expect([...statuses]).toEqual([status]);
    // One body for all three kinds, once the typed address is masked.
    expect(bodies.size).toBe(1);
    if (verdict?.verdict === "undecided") {
      console.warn(`${path} (${dialect}): too noisy to decide, passing: ${verdict.summary}`);
    }
    expect(verdict?.verdict, verdict?.summary).not.toBe("leak");
  }

  it(
    "register: an existing address and a new one",
    async () => {
      await expectIndistinguishable("/auth/register", (email) => ({
        email,
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
      await expectIndistinguishable("/auth/forgot-password", (email) => ({ email }));
    },
    TIMEOUT_MS,
  );

  it(
    "verification resend: an unverified address and an unknown one",
    async () => {
      await expectIndistinguishable("/auth/verify/resend", (email) => ({ email }));
    },
    TIMEOUT_MS,
  );

  it(
    "login: a wrong password for an existing address and an unknown address",
    async () => {
      await expectIndistinguishable(
        "/auth/login",
        (email, trial) => ({ email, password: `wrong-password-${trial}` }),
        401,
      );
    },
    TIMEOUT_MS,
  );
});

/**
 * The same threat, checked without a clock: the statements a response runs
 * (by fingerprint, with counts; deps.queryStats sees every one) must be the
 * same for an address with an account and one without. A COMMIT on one side
 * and a ROLLBACK on the other is exactly the DuckDB leak above, and this
 * check sees it on any machine, however busy, and on PostgreSQL too. Work a
 * response schedules for afterwards is not part of its path: settled first,
 * counted after the response only.
 */
describe.each(availableDialects())(
  "enumeration: same statements on the response path (%s)",
  (dialect) => {
    let t: TestApp;
    let token: string;
    beforeAll(async () => {
      t = await createTestApp({ dialect });
      token = csrfFrom(await (await t.client.get("/auth/register")).text());
    });
    afterAll(async () => {
      await t?.close();
    });

    const counts = () =>
      new Map(t.deps.queryStats.snapshot().map((s) => [s.fingerprint, s.count] as const));

    /** "count x fingerprint" for every statement one response ran, sorted. */
    async function statementsOf(path: string, fields: Record<string, string>): Promise<string[]> {
      await t.settle();
      const before = counts();
      // Counted as soon as the response exists: work scheduled after it has not started yet.
      const res = await postWith(t.client, token, path, fields);
      const after = counts();
      await res.text();
      await t.settle();
      return [...after]
        .map(([fp, n]) => [fp, n - (before.get(fp) ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([fp, n]) => `${n} x ${fp}`)
        .sort();
    }

    let seq = 0;
    async function expectSameStatements(
      path: string,
      fields: (email: string) => Record<string, string>,
    ) {
      // One known address, three attempts: the first request of a kind may warm a cache
      // the later ones do not need, and the later ones take the repeated-attempt paths (a
      // sign-up notice already sent this window is written as 'suppressed', not rolled back).
      seq += 1;
      const known = `same-${seq}@example.com`;
      await seedUser(t, { email: known, verified: false });
      for (let i = 0; i < 3; i++) {
        const knownPath = await statementsOf(path, fields(known));
        const unknownPath = await statementsOf(path, fields(`nobody-${seq}-${i}@example.com`));
        expect(knownPath.length).toBeGreaterThan(0);
        expect(knownPath).toEqual(unknownPath);
      }
    }

    it("register", async () => {
      await expectSameStatements("/auth/register", (email) => ({
        email,
        password: PASSWORD,
        first_name: "Eve",
        last_name: "Probe",
      }));
    });

    it("forgot password", async () => {
      await expectSameStatements("/auth/forgot-password", (email) => ({ email }));
    });

    it("verification resend", async () => {
      await expectSameStatements("/auth/verify/resend", (email) => ({ email }));
    });

    it("login with a wrong password", async () => {
      await expectSameStatements("/auth/login", (email) => ({ email, password: "wrong-password" }));
    });
  },
);
