/**
 * 5. Sign-ups per second: concurrent POST /auth/register with distinct
 * emails against the production build, on DuckDB and on PostgreSQL, in
 * interleaved rounds. Counted: the real "Check your inbox" answers (each one
 * a policy check, an argon2 hash, the user INSERT, a verification token and
 * a queued mail).
 */
import { type RunningApp, seededOnEachDatabase } from "../lib/app.js";
import { anonymousCsrf, FORM_TYPE, form } from "../lib/http.js";
import { type Check, excerpt, interleave, load, refuseUnless, statusList } from "../lib/load.js";
import { type Section, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { sum } from "../lib/stats.js";

const SCENARIO = "signups";
const CONNECTIONS = 20;

export async function signups(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const rounds = quick ? 1 : 2;
  // A sign-up under load takes seconds (argon2 and several writes): shorter windows count none.
  const seconds = quick ? 4 : 8;
  const apps: { engine: string; app: RunningApp }[] = [];
  const notes: string[] = [];
  try {
    notes.push(...(await seededOnEachDatabase("signups", ctx.options.postgresUrl, apps)));
    let n = 0;
    const run = `${process.pid}${Date.now().toString(36)}`;
    const targetsOf = await Promise.all(
      apps.map(async ({ engine, app }) => ({
        engine,
        app,
        csrf: await anonymousCsrf(app.url, "/auth/register"),
      })),
    );
    ctx.log(
      `${SCENARIO}: ${rounds} interleaved rounds of ${seconds} s, ${CONNECTIONS} connections`,
    );
    const results = await interleave(targetsOf, rounds, async ({ engine, app, csrf }) =>
      refuseUnless(
        SCENARIO,
        await load({
          label: `POST /auth/register on ${engine}`,
          url: app.url,
          connections: CONNECTIONS,
          duration: seconds,
          requests: [
            {
              method: "POST",
              path: "/auth/register",
              headers: { "content-type": FORM_TYPE, cookie: csrf.cookie, origin: app.url },
              makeBody: () =>
                form({
                  _csrf: csrf.token,
                  email: `signup-${run}-${n++}@example.com`,
                  password: "quartz lantern meadow 4719",
                  first_name: "Grace",
                  last_name: "Hopper",
                }),
              check: registered,
            },
          ],
        }),
      ),
    );
    const rows = targetsOf.map(({ engine }, i) => {
      const rs = results[i] ?? [];
      const ok = sum(rs.map((r) => r.statuses.get(200) ?? 0));
      const secs = sum(rs.map((r) => r.seconds));
      return {
        engine,
        perSecond: ok / secs,
        ok,
        p50: rs.map((r) => r.p50),
        statuses: rs.map(statusList).join(" | "),
      };
    });
    const duck = rows.find((r) => r.engine === "DuckDB")?.perSecond ?? 0;
    return {
      title: "5. Sign-ups per second",
      lines: [
        `autocannon, ${CONNECTIONS} connections, POST /auth/register with a distinct email each, ${rounds} interleaved round(s) of ${seconds} s; only 200 "Check your inbox" answers count (any other answer refuses the run).`,
        "",
        ...table(
          ["database", "sign-ups/s", "sign-ups", "p50 ms per round", "statuses"],
          rows.map((r) => [
            r.engine,
            r.perSecond.toFixed(1),
            String(r.ok),
            r.p50.join(", "),
            r.statuses,
          ]),
        ),
        ...(notes.length > 0 ? ["", ...notes] : []),
      ],
      targets: [
        {
          name: "DuckDB sign-ups per second",
          goal: ">= 100/s",
          actual: `${duck.toFixed(1)}/s`,
          met: duck >= 100,
        },
      ],
    };
  } finally {
    for (const { app } of apps) await app.stop();
  }
}

const registered: Check = (status, body) =>
  status === 200 && body.includes("Check your inbox")
    ? undefined
    : `status ${status}, expected 200 "Check your inbox": ${excerpt(body)}`;
