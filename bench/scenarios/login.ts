/**
 * 2. Login latency: POST /auth/login with the right password against the
 * real app (sequential, and 4 at once), next to a bare argon2id verify with
 * the same parameters in its own process, in the same interleaved rounds.
 * What login adds on top of argon2 is the app's own work: CSRF, rate-limit
 * and lockout bookkeeping, the user look-up, the session INSERT, audit.
 */
import type { ChildProcess } from "node:child_process";
import {
  BENCH_EMAIL,
  BENCH_PASSWORD,
  type RunningApp,
  seed,
  startApp,
  tempDir,
} from "../lib/app.js";
import {
  anonymousCsrf,
  keepAliveAgent,
  loginRequest,
  loginSucceeded,
  request,
} from "../lib/http.js";
import { excerpt } from "../lib/load.js";
import { ARGON2_CHILD, forkChild } from "../lib/peers.js";
import { BenchRefusal, type Section, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { ms, percentile } from "../lib/stats.js";

const SCENARIO = "login";
const CONCURRENCIES = [1, 4] as const;

export async function login(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const rounds = quick ? 1 : 3;
  const perRound = quick ? 8 : 24;
  let app: RunningApp | undefined;
  let argon2: ChildProcess | undefined;
  try {
    const dataDir = tempDir("login");
    await seed({ name: "app", dataDir });
    app = await startApp({ name: "app", dataDir });
    argon2 = forkChild(ARGON2_CHILD);
    await nextMessage(argon2);
    const csrf = await anonymousCsrf(app.url);
    const spec = loginRequest(app.url, csrf, { email: BENCH_EMAIL, password: BENCH_PASSWORD });
    const agent = keepAliveAgent();
    const base = app.url;

    const logins = async (count: number, concurrency: number): Promise<number[]> => {
      const times: number[] = [];
      let left = count;
      const lane = async () => {
        while (left > 0) {
          left -= 1;
          const answer = await request(base, spec, agent);
          if (!loginSucceeded(answer.status, answer.headers.location)) {
            throw new BenchRefusal(
              SCENARIO,
              `POST /auth/login answered ${answer.status} (location ${answer.headers.location}): ${excerpt(answer.body)}`,
            );
          }
          times.push(answer.ms);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      return times;
    };
    const child = argon2;
    const verifies = async (count: number, concurrency: number): Promise<number[]> => {
      child.send({ count, concurrency });
      return ((await nextMessage(child)) as { times: number[] }).times;
    };

    ctx.log(
      `${SCENARIO}: ${rounds} interleaved rounds of ${perRound} logins and ${perRound} verifies per concurrency`,
    );
    await logins(4, 1);
    await verifies(4, 1);
    const samples = new Map<string, number[]>();
    const add = (key: string, times: number[]) =>
      samples.set(key, [...(samples.get(key) ?? []), ...times]);
    for (let round = 0; round < rounds; round++) {
      for (const c of CONCURRENCIES) {
        add(`login-${c}`, await logins(perRound, c));
        add(`argon2-${c}`, await verifies(perRound, c));
      }
    }
    agent.destroy();

    const rows: string[][] = [];
    for (const c of CONCURRENCIES) {
      const l = samples.get(`login-${c}`) ?? [];
      const a = samples.get(`argon2-${c}`) ?? [];
      rows.push([
        String(c),
        String(l.length),
        ms(percentile(l, 50)),
        ms(percentile(l, 99)),
        ms(percentile(a, 50)),
        ms(percentile(a, 99)),
        ms(percentile(l, 50) - percentile(a, 50)),
      ]);
    }
    const login1 = percentile(samples.get("login-1") ?? [], 50);
    const argon1 = percentile(samples.get("argon2-1") ?? [], 50);
    return {
      title: "2. Login latency",
      lines: [
        `POST /auth/login (right password; 303 to /dashboard checked on every answer) against the production build, rate limits lifted; argon2id verify (m=19456, t=2, p=1, 32 bytes) alone in its own process. ${rounds} interleaved round(s); times by performance.now() per request (keep-alive socket).`,
        "",
        ...table(
          [
            "concurrency",
            "logins",
            "login p50 ms",
            "login p99 ms",
            "argon2 p50 ms",
            "argon2 p99 ms",
            "login - argon2 (p50) ms",
          ],
          rows,
        ),
      ],
      targets: [
        {
          name: "login p50 (sequential) vs bare argon2 verify p50",
          goal: "<= argon2 + 5 ms",
          actual: `${ms(login1)} ms vs ${ms(argon1)} ms (+${ms(login1 - argon1)})`,
          met: login1 <= argon1 + 5,
        },
      ],
    };
  } finally {
    argon2?.kill();
    await app?.stop();
  }
}

function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((done, fail) => {
    const onExit = (code: number | null) => fail(new Error(`argon2 child exited with ${code}`));
    child.once("exit", onExit);
    child.once("message", (message) => {
      child.off("exit", onExit);
      done(message);
    });
  });
}
