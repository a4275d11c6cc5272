/**
 * 2. Login latency: POST /auth/login with the right password against the
 * real app on DuckDB and on PostgreSQL (sequential, and 4 at once), next to
 * a bare argon2id verify with the same parameters in its own process, in
 * the same interleaved rounds. What login adds on top of argon2 is the app's
 * own work: CSRF, rate-limit and lockout bookkeeping, the user look-up, the
 * session INSERT, audit.
 *
 * Two kinds of login: from a returning browser (it carries the device cookie
 * of its earlier sign-in, as a person's own browser does) and from a new
 * device, which also queues the "new sign-in" mail to the owner.
 */
import type { ChildProcess } from "node:child_process";
import { BENCH_EMAIL, BENCH_PASSWORD, type RunningApp, seededOnEachDatabase } from "../lib/app.js";
import {
  anonymousCsrf,
  CookieJar,
  keepAliveAgent,
  loginRequest,
  loginSucceeded,
  type RequestSpec,
  request,
} from "../lib/http.js";
import { excerpt } from "../lib/load.js";
import { ARGON2_CHILD, forkChild } from "../lib/peers.js";
import { BenchRefusal, type Section, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { ms, percentile } from "../lib/stats.js";

const SCENARIO = "login";
const CONCURRENCIES = [1, 4] as const;

interface Target {
  /** "DuckDB, returning browser" and so on. */
  label: string;
  key: string;
  base: string;
  spec: RequestSpec;
}

export async function login(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const rounds = quick ? 1 : 3;
  const perRound = quick ? 8 : 16;
  const apps: { engine: string; app: RunningApp }[] = [];
  let argon2: ChildProcess | undefined;
  try {
    const notes = await seededOnEachDatabase("login", ctx.options.postgresUrl, apps);
    argon2 = forkChild(ARGON2_CHILD);
    await nextMessage(argon2);
    const agent = keepAliveAgent();
    const targets: Target[] = [];
    for (const { engine, app } of apps) {
      const csrf = await anonymousCsrf(app.url);
      const newDevice = loginRequest(app.url, csrf, {
        email: BENCH_EMAIL,
        password: BENCH_PASSWORD,
      });
      // A first sign-in leaves the device cookie a returning browser sends from then on.
      const first = await request(app.url, newDevice, agent);
      const jar = new CookieJar();
      jar.absorb(first);
      const device = [...jar.cookies].find(([name]) => /(^|-)device$/.test(name));
      if (!device) throw new BenchRefusal(SCENARIO, `no device cookie after a login on ${engine}`);
      const returning: RequestSpec = {
        ...newDevice,
        headers: { ...newDevice.headers, cookie: `${csrf.cookie}; ${device[0]}=${device[1]}` },
      };
      targets.push(
        {
          label: `${engine}, returning browser`,
          key: `${engine}-returning`,
          base: app.url,
          spec: returning,
        },
        { label: `${engine}, new device`, key: `${engine}-new`, base: app.url, spec: newDevice },
      );
    }

    const logins = async (target: Target, count: number, concurrency: number) => {
      const times: number[] = [];
      let left = count;
      const lane = async () => {
        while (left > 0) {
          left -= 1;
          const answer = await request(target.base, target.spec, agent);
          if (!loginSucceeded(answer.status, answer.headers.location)) {
            throw new BenchRefusal(
              SCENARIO,
              `POST /auth/login (${target.label}) answered ${answer.status} (location ${answer.headers.location}): ${excerpt(answer.body)}`,
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
      `${SCENARIO}: ${rounds} interleaved rounds of ${perRound} logins per kind and ${perRound} verifies per concurrency`,
    );
    for (const target of targets) await logins(target, 3, 1);
    await verifies(4, 1);
    const samples = new Map<string, number[]>();
    const add = (key: string, times: number[]) =>
      samples.set(key, [...(samples.get(key) ?? []), ...times]);
    for (let round = 0; round < rounds; round++) {
      for (const c of CONCURRENCIES) {
        for (const target of targets) add(`${target.key}-${c}`, await logins(target, perRound, c));
        add(`argon2-${c}`, await verifies(perRound, c));
      }
    }
    agent.destroy();

    const rows: string[][] = [];
    for (const c of CONCURRENCIES) {
      const a = samples.get(`argon2-${c}`) ?? [];
      rows.push([
        "argon2id verify alone",
        String(c),
        String(a.length),
        ms(percentile(a, 50)),
        ms(percentile(a, 99)),
        "",
      ]);
      for (const target of targets) {
        const l = samples.get(`${target.key}-${c}`) ?? [];
        rows.push([
          target.label,
          String(c),
          String(l.length),
          ms(percentile(l, 50)),
          ms(percentile(l, 99)),
          `+${ms(percentile(l, 50) - percentile(a, 50))}`,
        ]);
      }
    }
    const argon1 = percentile(samples.get("argon2-1") ?? [], 50);
    const targetsMet = targets
      .filter((t) => t.key.endsWith("-returning"))
      .map((t) => {
        const p50 = percentile(samples.get(`${t.key}-1`) ?? [], 50);
        return {
          name: `login p50 (sequential, ${t.label}) vs bare argon2 verify p50`,
          goal: "<= argon2 + 5 ms",
          actual: `${ms(p50)} ms vs ${ms(argon1)} ms (+${ms(p50 - argon1)})`,
          met: p50 <= argon1 + 5,
        };
      });
    return {
      title: "2. Login latency",
      lines: [
        `POST /auth/login (right password; 303 to /dashboard checked on every answer) against the production build, rate limits lifted; argon2id verify (m=19456, t=2, p=1, 32 bytes) alone in its own process. ${rounds} interleaved round(s); times by performance.now() per request (keep-alive socket). A returning browser sends the device cookie of its earlier sign-in; a new device does not, so its login also queues the owner's "new sign-in" mail.`,
        "",
        ...table(["login", "concurrency", "logins", "p50 ms", "p99 ms", "p50 over argon2"], rows),
        ...notes.flatMap((n) => ["", n]),
      ],
      targets: targetsMet,
    };
  } finally {
    argon2?.kill();
    await Promise.all(apps.map(({ app }) => app.stop()));
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
