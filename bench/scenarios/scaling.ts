/**
 * 7. Scaling: signed-in /dashboard throughput at 10, 50 and 200 connections
 * on one server; correct-password login throughput on two servers that
 * differ only in UV_THREADPOOL_SIZE (2 and 4: the hasher's concurrency and
 * libuv's pool), all in interleaved rounds.
 */
import { BENCH_EMAIL, BENCH_PASSWORD, type RunningApp, seededApp } from "../lib/app.js";
import {
  anonymousCsrf,
  DASHBOARD_MARKER,
  loginRequest,
  loginSucceeded,
  signIn,
} from "../lib/http.js";
import {
  type Check,
  excerpt,
  expectPage,
  interleave,
  load,
  meanRps,
  refuseUnless,
} from "../lib/load.js";
import { type Section, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { int, median } from "../lib/stats.js";

const SCENARIO = "scaling";
const DASHBOARD_CONNECTIONS = [10, 50, 200] as const;
const POOL_SIZES = ["2", "4"] as const;
const LOGIN_CONNECTIONS = 8;

export async function scaling(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const rounds = quick ? 1 : 2;
  const seconds = quick ? 1 : 3;
  const loginSeconds = quick ? 2 : 4;
  const apps: RunningApp[] = [];
  try {
    const app = await seededApp("scaling");
    apps.push(app);
    const cookie = await signIn(app.url);
    ctx.log(
      `${SCENARIO}: dashboard at ${DASHBOARD_CONNECTIONS.join("/")} connections, ${rounds} rounds of ${seconds} s`,
    );
    const dashboard = async (connections: number, duration: number) =>
      refuseUnless(
        SCENARIO,
        await load({
          label: `/dashboard at ${connections} connections`,
          url: app.url,
          connections,
          duration,
          requests: [
            { path: "/dashboard", headers: { cookie }, check: expectPage(DASHBOARD_MARKER) },
          ],
        }),
      );
    await dashboard(50, 1);
    const dash = await interleave(DASHBOARD_CONNECTIONS, rounds, (c) => dashboard(c, seconds));
    await app.stop();
    apps.length = 0;

    const pools: { size: string; app: RunningApp; csrf: { cookie: string; token: string } }[] = [];
    for (const size of POOL_SIZES) {
      const started = await seededApp(`scaling-uv${size}`, {
        name: `uv${size}`,
        env: { UV_THREADPOOL_SIZE: size },
      });
      apps.push(started);
      pools.push({ size, app: started, csrf: await anonymousCsrf(started.url) });
    }
    ctx.log(
      `${SCENARIO}: logins at ${LOGIN_CONNECTIONS} connections, UV_THREADPOOL_SIZE ${POOL_SIZES.join(" vs ")}`,
    );
    const logins = await interleave(pools, rounds, async ({ size, app: target, csrf }) => {
      const spec = loginRequest(target.url, csrf, { email: BENCH_EMAIL, password: BENCH_PASSWORD });
      return refuseUnless(
        SCENARIO,
        await load({
          label: `logins, UV_THREADPOOL_SIZE=${size}`,
          url: target.url,
          connections: LOGIN_CONNECTIONS,
          duration: loginSeconds,
          requests: [
            {
              method: "POST",
              path: "/auth/login",
              headers: spec.headers,
              body: spec.body,
              check: signedIn,
            },
          ],
        }),
      );
    });

    const dashRps = DASHBOARD_CONNECTIONS.map((_, i) => meanRps(dash[i] ?? []));
    const loginRps = POOL_SIZES.map((_, i) => meanRps(logins[i] ?? []));
    return {
      title: "7. Scaling",
      lines: [
        `Signed-in /dashboard, autocannon at ${DASHBOARD_CONNECTIONS.join(", ")} connections, ${rounds} interleaved round(s) of ${seconds} s:`,
        "",
        ...table(
          ["connections", "req/s", "p50 ms", "p99 ms (worst round)"],
          DASHBOARD_CONNECTIONS.map((c, i) => [
            String(c),
            int(dashRps[i] ?? 0),
            String(median((dash[i] ?? []).map((r) => r.p50))),
            String(Math.max(...(dash[i] ?? []).map((r) => r.p99))),
          ]),
        ),
        "",
        flattening(dashRps),
        "",
        `Correct-password logins (303 to /dashboard checked), ${LOGIN_CONNECTIONS} connections, ${rounds} interleaved round(s) of ${loginSeconds} s per server:`,
        "",
        ...table(
          ["UV_THREADPOOL_SIZE", "logins/s", "p50 ms", "p99 ms (worst round)"],
          POOL_SIZES.map((size, i) => [
            size,
            (loginRps[i] ?? 0).toFixed(1),
            String(median((logins[i] ?? []).map((r) => r.p50))),
            String(Math.max(...(logins[i] ?? []).map((r) => r.p99))),
          ]),
        ),
        "",
        poolVerdict(loginRps[0] ?? 0, loginRps[1] ?? 0),
      ],
      targets: [],
    };
  } finally {
    for (const app of apps) await app.stop();
  }
}

/** Where added connections stop adding throughput (less than 10% more). */
function flattening(rps: number[]): string {
  for (let i = 1; i < rps.length; i++) {
    const gain = (rps[i] ?? 0) / (rps[i - 1] ?? 1) - 1;
    if (gain < 0.1) {
      return `Dashboard throughput flattens by ${DASHBOARD_CONNECTIONS[i - 1]} connections: ${DASHBOARD_CONNECTIONS[i]} add ${(gain * 100).toFixed(0)}% (the server's CPU, shared with the load generator on 2 cores, is the limit).`;
    }
  }
  return "Dashboard throughput still rises at 200 connections.";
}

function poolVerdict(two: number, four: number): string {
  const gain = four / two - 1;
  return gain < 0.1
    ? `Login throughput flattens at 2 threads: 4 add ${(gain * 100).toFixed(0)}% (argon2 is CPU-bound and the machine has ${"2"} cores).`
    : `4 threads give ${(gain * 100).toFixed(0)}% more logins per second than 2.`;
}

const signedIn: Check = (status, body, headers) =>
  loginSucceeded(status, headers.location)
    ? undefined
    : `status ${status}, location ${headers.location}: ${excerpt(body)}`;
