/**
 * 9. Instances: the signed-in /dashboard with 1, 2 and 3 app instances behind
 * nginx, on one PostgreSQL database and one Redis (shared rate limits and
 * session eviction), as docs/scaling.md describes a scale-out deployment.
 * Interleaved rounds; beside requests per second, the CPU each role used per
 * request (instances, nginx, PostgreSQL, Redis, the load generator), read
 * from /proc: on a 2-core machine that is what predicts N cores.
 */
import { createConnection } from "node:net";
import { join } from "node:path";
import {
  createDatabase,
  freePort,
  postgresProblem,
  type RunningApp,
  seed,
  startApp,
  tempDir,
} from "../lib/app.js";
import { cpuByRole, delta, machineCpu } from "../lib/cpu.js";
import { DASHBOARD_MARKER, signIn } from "../lib/http.js";
import { expectPage, interleave, type LoadResult, load, refuseUnless } from "../lib/load.js";
import { nginxProblem, type RunningProxy, startNginx } from "../lib/proxy.js";
import { type Section, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { int, median, sum } from "../lib/stats.js";

const SCENARIO = "instances";
const TITLE = "9. Instances behind a proxy (PostgreSQL + Redis)";
const CONNECTIONS = 50;
const MAX_INSTANCES = 3;
const ROLES = ["instances", "nginx", "PostgreSQL", "Redis", "load generator"] as const;

interface Setup {
  label: string;
  url: string;
  instances: number;
  proxied: boolean;
}

interface Measured {
  result: LoadResult;
  cpu: Map<string, number>;
  busy: number;
  total: number;
}

export async function instances(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const rounds = quick ? 1 : 3;
  const seconds = quick ? 1 : 4;
  const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const pgProblem = await postgresProblem(ctx.options.postgresUrl);
  const problems = [
    nginxProblem(),
    pgProblem && `PostgreSQL at ${ctx.options.postgresUrl} is unreachable (${pgProblem})`,
    await redisProblem(redisUrl),
  ].filter((p): p is string => Boolean(p));
  if (problems.length > 0) {
    return { title: TITLE, lines: [`Skipped: ${problems.join("; ")}.`], targets: [] };
  }

  const apps: RunningApp[] = [];
  const proxies: RunningProxy[] = [];
  try {
    const databaseUrl = await createDatabase(ctx.options.postgresUrl, SCENARIO);
    const database = new URL(databaseUrl).pathname.slice(1);
    const proxyPorts = await Promise.all(Array.from({ length: MAX_INSTANCES }, () => freePort()));
    // Users sign in through the largest proxy: it is the origin the CSRF check expects.
    const origin = `http://127.0.0.1:${proxyPorts[MAX_INSTANCES - 1]}`;
    const env = { REDIS_URL: redisUrl, TRUST_PROXY: "127.0.0.1", APP_URL: origin };
    await seed({ name: "instances-seed", dataDir: tempDir(`${SCENARIO}-seed`), databaseUrl, env });
    ctx.log(`${SCENARIO}: starting ${MAX_INSTANCES} instances on ${database}, Redis ${redisUrl}`);
    for (let i = 0; i < MAX_INSTANCES; i++) {
      apps.push(
        await startApp({
          name: `instance-${i + 1}`,
          dataDir: tempDir(`${SCENARIO}-${i + 1}`),
          databaseUrl,
          env,
        }),
      );
    }
    const dir = tempDir(`${SCENARIO}-nginx`);
    for (let n = 1; n <= MAX_INSTANCES; n++) {
      proxies.push(
        await startNginx({
          dir: join(dir, `n${n}`),
          port: proxyPorts[n - 1] as number,
          upstreams: apps.slice(0, n).map((a) => Number(new URL(a.url).port)),
        }),
      );
    }
    const cookie = await signIn(origin);
    const setups: Setup[] = [
      { label: "1 instance, direct", url: apps[0]?.url ?? "", instances: 1, proxied: false },
      ...proxies.map((p, i) => ({
        label: `${i + 1} instance${i === 0 ? "" : "s"} behind nginx`,
        url: p.url,
        instances: i + 1,
        proxied: true,
      })),
    ];

    const instancePids = new Set(apps.map((a) => a.pid));
    const proxyPids = new Set(proxies.map((p) => p.pid));
    const roleOf = (pid: number, comm: string, cmdline: string, ppid: number) => {
      if (pid === process.pid) return "load generator";
      if (instancePids.has(pid)) return "instances";
      if (proxyPids.has(pid) || proxyPids.has(ppid)) return "nginx";
      if (comm.startsWith("postgres") && cmdline.includes(database)) return "PostgreSQL";
      if (comm === "redis-server") return "Redis";
      return undefined;
    };
    const dashboard = (setup: Setup, duration: number) =>
      load({
        label: setup.label,
        url: setup.url,
        connections: CONNECTIONS,
        duration,
        requests: [
          { path: "/dashboard", headers: { cookie }, check: expectPage(DASHBOARD_MARKER) },
        ],
      });
    // Warm every instance's JIT and session cache through the widest proxy, then each setup once.
    refuseUnless(SCENARIO, await dashboard(setups[setups.length - 1] as Setup, quick ? 1 : 2));
    for (const setup of setups) refuseUnless(SCENARIO, await dashboard(setup, 1));

    ctx.log(
      `${SCENARIO}: ${setups.length} setups, ${CONNECTIONS} connections, ${rounds} interleaved round(s) of ${seconds} s`,
    );
    const measured = await interleave(setups, rounds, async (setup): Promise<Measured> => {
      const cpuBefore = cpuByRole(roleOf);
      const machineBefore = machineCpu();
      const result = refuseUnless(SCENARIO, await dashboard(setup, seconds));
      const machineAfter = machineCpu();
      return {
        result,
        cpu: delta(cpuByRole(roleOf), cpuBefore),
        busy: machineAfter.busy - machineBefore.busy,
        total: machineAfter.total - machineBefore.total,
      };
    });
    return report(setups, measured, rounds, seconds);
  } finally {
    for (const proxy of proxies) await proxy.stop();
    for (const app of apps) await app.stop();
  }
}

function report(
  setups: readonly Setup[],
  measured: Measured[][],
  rounds: number,
  seconds: number,
): Section {
  const rows = setups.map((setup, i) => {
    const runs = measured[i] ?? [];
    const requests = sum(runs.map((m) => m.result.requests));
    const rps = requests / sum(runs.map((m) => m.result.seconds));
    // CPU milliseconds per request, per role, over all rounds of this setup.
    // A process that exits between the readings (a pool's idle backend) can leave a small negative.
    const perRequest = (role: string) =>
      Math.max(0, (1000 * sum(runs.map((m) => m.cpu.get(role) ?? 0))) / Math.max(1, requests));
    const busy = sum(runs.map((m) => m.busy)) / Math.max(1e-9, sum(runs.map((m) => m.total)));
    return { setup, runs, rps, perRequest, busy };
  });
  const base = rows.find((r) => r.setup.proxied && r.setup.instances === 1);
  const widest = rows[rows.length - 1];
  const cost = (role: string) => widest?.perRequest(role) ?? 0;
  const serving = cost("instances") + cost("nginx") + cost("PostgreSQL") + cost("Redis");
  const lines = [
    `Signed-in GET /dashboard, autocannon at ${CONNECTIONS} connections, ${rounds} interleaved round(s) of ${seconds} s per setup. ` +
      "All instances run throughout (the 1- and 2-instance proxies simply route to fewer), on one PostgreSQL database and one Redis, with TRUST_PROXY=127.0.0.1.",
    "",
    ...table(
      [
        "setup",
        "req/s",
        "vs 1 behind nginx",
        "p50 ms",
        "p99 ms (worst round)",
        ...ROLES.map((r) => `CPU ms/req: ${r}`),
        "machine busy",
      ],
      rows.map((r) => [
        r.setup.label,
        int(r.rps),
        base ? `${(r.rps / base.rps).toFixed(2)}x` : "",
        String(median(r.runs.map((m) => m.result.p50))),
        String(Math.max(...r.runs.map((m) => m.result.p99))),
        ...ROLES.map((role) => r.perRequest(role).toFixed(2)),
        `${Math.round(r.busy * 100)}%`,
      ]),
    ),
    "",
    "CPU ms/req: user + system time of each role's processes during the rounds, divided by the requests answered " +
      "(Redis is the machine's one redis-server, so other work on it counts too).",
    "",
    `Where the ${int(widest?.rps ?? 0)} req/s of ${widest?.setup.label} went: ${ROLES.map((role) => `${role} ${cost(role).toFixed(2)} ms`).join(", ")} per request. ` +
      `Serving one request costs ${serving.toFixed(2)} CPU ms without the load generator.`,
    `On N cores given to the instances alone (load generator, proxy and databases elsewhere): about N x ${int(1000 / Math.max(1e-9, cost("instances")))} req/s. ` +
      `${capacity("PostgreSQL", cost("PostgreSQL"), "one core")} ${capacity("Redis", cost("Redis"), "its single thread")}`,
  ];
  return { title: TITLE, lines, targets: [] };
}

/** What one core of a shared service carries at this cost per request. */
function capacity(role: string, ms: number, unit: string): string {
  // Below the clock tick's resolution over the whole measurement: nothing to extrapolate from.
  if (ms < 0.005) return `${role}: no measurable work per request.`;
  return `${role}: ${ms.toFixed(2)} ms per request, so ${unit} carries about ${int(1000 / ms)} req/s.`;
}

/** Why Redis cannot be used (a PING that does not PONG within 2 s), or undefined. */
function redisProblem(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const finish = (problem: string | undefined) => {
      socket.destroy();
      done(problem);
    };
    socket.setTimeout(2000, () => finish(`Redis at ${url} did not answer within 2 s`));
    socket.once("error", (error) => finish(`Redis at ${url} is unreachable (${error.message})`));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) =>
      finish(
        String(data).startsWith("+PONG")
          ? undefined
          : `Redis at ${url} answered ${String(data).trim()}`,
      ),
    );
  });
}
