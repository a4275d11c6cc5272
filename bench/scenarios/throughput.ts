/**
 * 1. Throughput: the real app against peers doing the same work, each server
 * in its own process, autocannon at 50 connections in interleaved rounds.
 * Every answer is checked (a signed-in dashboard has the user's greeting).
 */
import { BENCH_EMAIL, type RunningApp, seededApp } from "../lib/app.js";
import {
  CookieJar,
  csrfField,
  DASHBOARD_MARKER,
  FORM_TYPE,
  form,
  request,
  signIn,
} from "../lib/http.js";
import {
  type Check,
  excerpt,
  expectPage,
  interleave,
  type LoadResult,
  load,
  meanRps,
  refuseUnless,
} from "../lib/load.js";
import { EXPRESS_SERVER, PEER_SERVERS, type Peer, startPeer } from "../lib/peers.js";
import { type Section, type Target, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { int, median, ratio } from "../lib/stats.js";

const SCENARIO = "throughput";
const CONNECTIONS = 50;

interface Row {
  key: string;
  label: string;
  url: string;
  path: string;
  headers?: Record<string, string>;
  check: Check;
  bytes?: number;
}

export async function throughput(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const rounds = quick ? 1 : 3;
  const roundSeconds = quick ? 1 : 3;
  const peers: Peer[] = [];
  let app: RunningApp | undefined;
  try {
    app = await seededApp("throughput");
    const appCookie = await signIn(app.url);
    const [honoPage, expressPeer, honoHello, nodeHello] = await Promise.all([
      startPeer(PEER_SERVERS, ["hono-dashboard"]),
      startPeer(EXPRESS_SERVER),
      startPeer(PEER_SERVERS, ["hono-hello"]),
      startPeer(PEER_SERVERS, ["node-hello"]),
    ]);
    for (const p of [honoPage, expressPeer, honoHello, nodeHello]) if (p) peers.push(p);
    if (!honoPage || !expressPeer || !honoHello || !nodeHello)
      throw new Error("a peer did not start");
    const expressCookie = await expressSignIn(expressPeer.url);

    const dashboard = expectPage(DASHBOARD_MARKER);
    const rows: Row[] = [
      {
        key: "app-dashboard",
        label: "Bastion GET /dashboard (signed in)",
        url: app.url,
        path: "/dashboard",
        headers: { cookie: appCookie },
        check: dashboard,
      },
      {
        key: "hono-dashboard",
        label: "bare Hono JSX, same page",
        url: honoPage.url,
        path: "/dashboard",
        check: dashboard,
      },
      {
        key: "express-dashboard",
        label: "Express 5 stack, same page (signed in)",
        url: expressPeer.url,
        path: "/dashboard",
        headers: { cookie: expressCookie },
        check: dashboard,
      },
      {
        key: "app-landing",
        label: "Bastion GET / (anonymous)",
        url: app.url,
        path: "/",
        check: landing,
      },
      {
        key: "app-healthz",
        label: "Bastion GET /healthz (every middleware)",
        url: app.url,
        path: "/healthz",
        check: healthz,
      },
      {
        key: "hono-hello",
        label: "bare Hono hello world",
        url: honoHello.url,
        path: "/",
        check: hello,
      },
      {
        key: "node-hello",
        label: "bare node:http hello world",
        url: nodeHello.url,
        path: "/",
        check: hello,
      },
    ];
    // One answer each before any load: the checks, and the page sizes to compare.
    for (const row of rows) {
      const answer = await request(row.url, { path: row.path, headers: row.headers });
      const problem = row.check(answer.status, answer.body, {});
      if (problem) throw new Error(`${SCENARIO}: ${row.label}: ${problem}`);
      row.bytes = Buffer.byteLength(answer.body);
    }
    const spec = (row: Row, duration: number) => ({
      label: row.label,
      url: row.url,
      connections: CONNECTIONS,
      duration,
      requests: [{ path: row.path, headers: row.headers, check: row.check }],
    });
    ctx.log(
      `${SCENARIO}: warm-up, then ${rounds} interleaved rounds of ${roundSeconds} s x ${rows.length}`,
    );
    for (const row of rows) refuseUnless(SCENARIO, await load(spec(row, 1)));
    const results = await interleave(rows, rounds, async (row) =>
      refuseUnless(SCENARIO, await load(spec(row, roundSeconds))),
    );
    const byKey = new Map(rows.map((row, i) => [row.key, results[i] ?? []]));
    const get = (key: string): LoadResult[] => byKey.get(key) ?? [];
    /** Median over rounds of (a's req/s / b's req/s) in the same round. */
    const roundRatio = (a: string, b: string) =>
      median(get(a).map((r, i) => r.rps / (get(b)[i]?.rps ?? Number.NaN)));

    const honoHelloRps = meanRps(get("hono-hello"));
    const lines = [
      `autocannon, ${CONNECTIONS} connections, ${rounds} interleaved round(s) of ${roundSeconds} s per server after a 1 s warm-up; every answer checked (status and a marker in the body).`,
      "",
      ...table(
        ["server", "req/s", "p50 ms", "p99 ms (worst round)", "vs bare Hono hello", "body bytes"],
        rows.map((row) => {
          const rs = get(row.key);
          return [
            row.label,
            int(meanRps(rs)),
            String(median(rs.map((r) => r.p50))),
            String(Math.max(...rs.map((r) => r.p99))),
            `${((meanRps(rs) / honoHelloRps) * 100).toFixed(1)}%`,
            int(row.bytes ?? 0),
          ];
        }),
      ),
      "",
      `Dashboard HTML: Bastion ${row(rows, "app-dashboard").bytes} bytes, bare Hono JSX ${row(rows, "hono-dashboard").bytes}, Express ${row(rows, "express-dashboard").bytes} (differences are the nonce, the masked CSRF token and Express's own token length).`,
      `The Express peer keeps sessions in express-session's MemoryStore (no database) and rate limits in express-rate-limit's memory store; Bastion validates its session through its cache (DuckDB on a miss) and logs every request as JSON to a file.`,
    ];
    const vsHono = roundRatio("app-dashboard", "hono-dashboard");
    const vsExpress = roundRatio("app-dashboard", "express-dashboard");
    const stack = roundRatio("app-healthz", "hono-hello");
    const sizeDrift = Math.abs(
      (row(rows, "app-dashboard").bytes ?? 0) / (row(rows, "hono-dashboard").bytes ?? 1) - 1,
    );
    const targets: Target[] = [
      {
        name: "dashboard vs bare Hono JSX page",
        goal: ">= 0.70x",
        actual: ratio(vsHono),
        met: vsHono >= 0.7,
      },
      {
        name: "dashboard vs Express 5 stack",
        goal: ">= 2.0x",
        actual: ratio(vsExpress),
        met: vsExpress >= 2,
      },
      {
        name: "middleware stack on hello world (/healthz vs bare Hono hello)",
        goal: ">= 0.80x (costs <= 20%)",
        actual: ratio(stack),
        met: stack >= 0.8,
      },
      {
        name: "bare Hono page is the same page (byte length)",
        goal: "within 3%",
        actual: `${(sizeDrift * 100).toFixed(1)}%`,
        met: sizeDrift <= 0.03,
      },
    ];
    return { title: "1. Throughput", lines, targets };
  } finally {
    for (const p of peers) p.stop();
    await app?.stop();
  }
}

function row(rows: Row[], key: string): Row {
  const found = rows.find((r) => r.key === key);
  if (!found) throw new Error(`no row ${key}`);
  return found;
}

const landing: Check = (status, body) =>
  status === 200 && body.includes('id="hero-title"') && !body.includes(DASHBOARD_MARKER)
    ? undefined
    : `status ${status}, expected the landing page: ${excerpt(body)}`;

const healthz: Check = (status, body) =>
  status === 200 && body.includes('"status":"ok"')
    ? undefined
    : `status ${status}: ${excerpt(body)}`;

const hello: Check = (status, body) =>
  status === 200 && body === "Hello, World!" ? undefined : `status ${status}: ${excerpt(body)}`;

/** The Express peer's own login round trip: its form's token, then POST, then the session cookie. */
async function expressSignIn(base: string): Promise<string> {
  const jar = new CookieJar();
  const page = await request(base, { path: "/login" });
  jar.absorb(page);
  const token = csrfField(page.body);
  if (!token) throw new Error(`Express peer: no token on /login (status ${page.status})`);
  const answer = await request(base, {
    method: "POST",
    path: "/login",
    headers: { "content-type": FORM_TYPE, cookie: jar.header() },
    body: form({ _csrf: token, email: BENCH_EMAIL }),
  });
  jar.absorb(answer);
  if (answer.status !== 303) {
    throw new Error(`Express peer: login answered ${answer.status}: ${excerpt(answer.body)}`);
  }
  return jar.header();
}
