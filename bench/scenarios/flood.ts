/**
 * 3. Flood probe: does a wrong-password flood (argon2 work on every attempt)
 * starve signed-in pages? Open-loop probes of /healthz and /dashboard at
 * 20 req/s each, in quiet windows and in windows during which autocannon
 * floods POST /auth/login (50 connections, wrong passwords cycling through
 * real accounts so none reaches its lock), interleaved quiet/flood.
 */
import { FLOOD_USERS, floodEmail, type RunningApp, seededApp } from "../lib/app.js";
import { anonymousCsrf, DASHBOARD_MARKER, FORM_TYPE, form, signIn } from "../lib/http.js";
import { type Check, excerpt, expectPage, type LoadResult, load, statusList } from "../lib/load.js";
import { type ProbeResult, probe } from "../lib/probe.js";
import { BenchRefusal, type Section, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { ms, percentile, sum } from "../lib/stats.js";

const SCENARIO = "flood";
const PROBE_PER_SECOND = 20;
const FLOOD_CONNECTIONS = 50;
const WRONG_ANSWER = "Email or password is incorrect.";

export async function flood(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const windows = quick ? 1 : 3;
  // Under a flood a failed login takes seconds (queued behind argon2 and the writes): a window
  // shorter than that would count no completed attempt.
  const seconds = quick ? 3 : 6;
  let app: RunningApp | undefined;
  try {
    app = await seededApp("flood");
    const cookie = await signIn(app.url);
    const csrf = await anonymousCsrf(app.url);
    const base = app.url;
    let attempt = 0;

    const probes = () =>
      Promise.all([
        probe({
          url: base,
          path: "/healthz",
          perSecond: PROBE_PER_SECOND,
          seconds,
          check: healthz,
        }),
        probe({
          url: base,
          path: "/dashboard",
          headers: { cookie },
          perSecond: PROBE_PER_SECOND,
          seconds,
          check: expectPage(DASHBOARD_MARKER),
        }),
      ]);
    const floodFor = () =>
      load({
        label: "wrong-password flood",
        url: base,
        connections: FLOOD_CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: "POST",
            path: "/auth/login",
            headers: { "content-type": FORM_TYPE, cookie: csrf.cookie, origin: base },
            makeBody: () =>
              form({
                _csrf: csrf.token,
                email: floodEmail(attempt++),
                password: "wrong password, bench",
              }),
            check: wrongPassword,
          },
        ],
      });

    const quiet: ProbeResult[][] = [];
    const loud: ProbeResult[][] = [];
    const floods: LoadResult[] = [];
    ctx.log(
      `${SCENARIO}: ${windows} quiet and ${windows} flood windows of ${seconds} s, interleaved`,
    );
    // Warm-up: JIT and caches, so the first quiet window is not the slowest.
    await probe({
      url: base,
      path: "/dashboard",
      headers: { cookie },
      perSecond: 50,
      seconds: 1,
      check: () => undefined,
    });
    for (let w = 0; w < windows; w++) {
      quiet.push(await probes());
      const [probed, flooded] = await Promise.all([
        // The flood starts first so the probe window sees it at full strength.
        new Promise((r) => setTimeout(r, 300)).then(probes),
        floodFor(),
      ]);
      loud.push(probed);
      floods.push(flooded);
    }
    for (const result of [...quiet, ...loud].flat()) {
      if (result.problems.length > 0) {
        throw new BenchRefusal(
          SCENARIO,
          `probe: ${result.problems.length} wrong answers; first: ${result.problems[0]}`,
        );
      }
    }
    for (const f of floods) {
      if (f.requests === 0)
        throw new BenchRefusal(SCENARIO, "flood: no login attempt completed in its window");
      if (f.rejected > 0) {
        throw new BenchRefusal(
          SCENARIO,
          `flood: ${f.rejected} answers were neither the wrong-password page nor a 503 (statuses ${statusList(f)}); first: ${f.firstProblem}`,
        );
      }
    }
    const pick = (sets: ProbeResult[][], i: number) => sets.flatMap((s) => s[i]?.latencies ?? []);
    const rows = [
      ["/healthz", pick(quiet, 0), pick(loud, 0)],
      ["/dashboard (signed in)", pick(quiet, 1), pick(loud, 1)],
    ] as const;
    const attempts = sum(floods.map((f) => f.requests));
    const floodSeconds = sum(floods.map((f) => f.seconds));
    const busy = sum(floods.map((f) => f.statuses.get(503) ?? 0));
    const dashQuiet = percentile(pick(quiet, 1), 99);
    const dashLoud = percentile(pick(loud, 1), 99);
    return {
      title: "3. Flood probe",
      lines: [
        `Open-loop probes at ${PROBE_PER_SECOND} req/s per path (sent on schedule, timed by performance.now()), ${windows} quiet and ${windows} flood window(s) of ${seconds} s, interleaved. Flood: autocannon, ${FLOOD_CONNECTIONS} connections, POST /auth/login with a wrong password across ${FLOOD_USERS} real accounts (each answer checked: 401 "${WRONG_ANSWER}", or 503 when the hasher's queue is full).`,
        "",
        ...table(
          [
            "path",
            "quiet p50 ms",
            "quiet p99 ms",
            "flood p50 ms",
            "flood p99 ms",
            "p99 flood / quiet",
            "samples",
          ],
          rows.map(([path, q, l]) => [
            path,
            ms(percentile(q, 50)),
            ms(percentile(q, 99)),
            ms(percentile(l, 50)),
            ms(percentile(l, 99)),
            `${(percentile(l, 99) / percentile(q, 99)).toFixed(2)}x`,
            `${q.length} + ${l.length}`,
          ]),
        ),
        "",
        `Flood: ${attempts} failed logins in ${floodSeconds.toFixed(1)} s (${(attempts / floodSeconds).toFixed(1)}/s, each an argon2 verify), statuses ${floods.map(statusList).join(" | ")}; 503 (hasher queue full, PASSWORD_HASH_MAX_QUEUE): ${busy}.`,
      ],
      targets: [
        {
          name: "dashboard p99 during a wrong-password flood",
          goal: "<= 1.5x quiet p99",
          actual: `${ms(dashLoud)} ms vs ${ms(dashQuiet)} ms (${(dashLoud / dashQuiet).toFixed(2)}x)`,
          met: dashLoud <= 1.5 * dashQuiet,
        },
      ],
    };
  } finally {
    await app?.stop();
  }
}

const healthz: Check = (status, body) =>
  status === 200 && body.includes('"status":"ok"')
    ? undefined
    : `status ${status}: ${excerpt(body)}`;

/** The failed-login page (401, the one message for every reason), or the hasher's 503. */
const wrongPassword: Check = (status, body) => {
  if (status === 401 && body.includes(WRONG_ANSWER)) return undefined;
  if (status === 503) return undefined;
  return `status ${status}, expected 401 "${WRONG_ANSWER}": ${excerpt(body)}`;
};
