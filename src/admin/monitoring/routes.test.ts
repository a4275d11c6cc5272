import { afterEach, describe, expect, it } from "vitest";
import { signInAdmin, signInUser } from "../../../test/flows/admin-user-fixture.js";
import { login, seedUser } from "../../../test/flows/login-fixture.js";
import { csrfFrom, ORIGIN } from "../../../test/forms.js";
import {
  availableDialects,
  createTestApp,
  type TestApp,
  type TestClient,
} from "../../../test/harness.js";
import type { MonitoringExport } from "./export.js";

const PAGE = "/admin/monitoring";
const RUN = `${PAGE}/checks/run`;

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function main(html: string): string {
  return html.slice(html.indexOf("<main"), html.indexOf("</main>"));
}

const value = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

/** Traffic the figures can show: pages, unknown paths, failed and good sign-ins, 10 s apart. */
async function traffic(t: TestApp, admin: TestClient): Promise<void> {
  await t.deps.sampler.sampleNow(); // the first sample: everything since the app started
  t.clock.advance(10_000);
  await t.deps.sampler.sampleNow(); // a quiet interval: no request, so no latency
  const stranger = t.newClient();
  for (let round = 0; round < 3; round++) {
    t.clock.advance(10_000);
    for (let i = 0; i < 5; i++) await stranger.get("/");
    for (let i = 0; i < 3; i++) await stranger.get(`/no-such-page-${i}`);
    await login(t.newClient(), { email: "nobody@example.com", password: "wrong password" });
    await admin.get("/admin");
    await t.deps.sampler.sampleNow();
  }
}

/** Alerts as the evaluator stores them: `count` resolved ones a minute apart, newest an hour ago. */
async function insertAlerts(t: TestApp, count: number): Promise<void> {
  const now = t.clock.now().getTime();
  for (let i = 0; i < count; i++) {
    const firedAt = new Date(now - 3_600_000 - i * 60_000);
    await t.deps.db.execute(
      `INSERT INTO alerts (id, rule, severity, state, value, threshold, unit, summary, fired_at,
         resolved_at, notifications, last_notified_at)
       VALUES ($1, 'latency_p95', 'warning', 'resolved', $2, 1000, 'ms', $3, $4, $5, 2, $5)`,
      [
        `old-${String(i).padStart(3, "0")}`,
        1000 + i,
        `p95 latency ${1000 + i} ms <script>alert(${i})</script>`,
        firedAt,
        new Date(firedAt.getTime() + 30_000),
      ],
    );
  }
}

async function insertFiring(t: TestApp, severity: "critical" | "warning"): Promise<void> {
  await t.deps.db.execute(
    `INSERT INTO alerts (id, rule, severity, state, value, threshold, unit, summary, fired_at,
       resolved_at, notifications, last_notified_at)
     VALUES ('now-1', 'error_rate', $1, 'firing', 12.5, 5, '%', 'Error rate 12.5 % over 5 min', $2, NULL, 1, $2)`,
    [severity, t.clock.now()],
  );
}

async function runCheck(client: TestClient, fields: Record<string, string>, headers = {}) {
  const token = csrfFrom(await (await client.get(PAGE)).text());
  return client.post(RUN, { _csrf: token, ...fields }, { Origin: ORIGIN, ...headers });
}

describe.each(availableDialects())("/admin/monitoring (%s)", (dialect) => {
  it("is the 404 of an unknown path for anonymous visitors and non-admins, on every path and method", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "jane@example.com" });
    const anonymous = t.newClient();
    const jane = await signInUser(t, "jane@example.com");
    const before = t.deps.health.results().find((c) => c.name === "database")?.runs;
    for (const client of [anonymous, jane]) {
      // Each with a valid token of its own: the refusal must come from the admin guard, not CSRF.
      const token = csrfFrom(
        await (await client.get(client === jane ? "/account" : "/auth/login")).text(),
      );
      for (const path of [
        PAGE,
        `${PAGE}/`,
        `${PAGE}/figures`,
        `${PAGE}/export.json`,
        `${PAGE}?range=24h`,
        RUN,
      ]) {
        const res = await client.get(path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get("Content-Disposition"), path).toBeNull();
      }
      const post = await client.post(RUN, { _csrf: token, check: "database" }, { Origin: ORIGIN });
      expect(post.status).toBe(404);
    }
    // The refused POSTs ran nothing.
    expect(t.deps.health.results().find((c) => c.name === "database")?.runs).toBe(before);
  });

  it("shows status, figures, checks and charts after traffic, and exports the same state as JSON", async () => {
    t = await createTestApp({ dialect });
    const { client } = await signInAdmin(t, { sudo: false });
    await t.deps.health.runAll();
    await traffic(t, client);

    const res = await client.get(PAGE);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = main(await res.text());
    // The checks all passed just now (memory or disk may warn on a busy machine: either word is fine).
    expect(html).toMatch(/id="overall-status" data-status="(ok|degraded)"/);
    // 3 rounds of 10 s: 5 pages, 3 unknown paths, a sign-in form post and /admin each.
    expect(value(html, "fig-request-rate")).toMatch(/^\d+(\.\d)? req\/s$/);
    expect(value(html, "fig-error-rate")).toBe("0 %");
    expect(value(html, "fig-p50")).toMatch(/ ms$/);
    expect(value(html, "fig-p95")).toMatch(/ ms$/);
    // The admin's own sign-in is in the first sample (it counts from the app's start).
    expect(value(html, "fig-sign-ins")).toBe("1 / 3");
    expect(Number(value(html, "fig-sessions"))).toBeGreaterThanOrEqual(1);
    expect(value(html, "fig-rss")).toMatch(/^[\d,.]+ MB$/);
    // Sign-in notices the seeded accounts queued; nothing was sent in a test app.
    expect(value(html, "fig-outbox")).toMatch(/^\d+$/);
    // Every check is listed with a Run now button of its own id.
    for (const check of t.deps.health.results()) {
      expect(html).toContain(`id="check-${check.name}"`);
      expect(html).toContain(`id="run-${check.name}"`);
    }
    // The block polls its fragment every 5 s and reports the status it showed.
    expect(html).toMatch(
      /id="monitoring-live"[^>]*hx-get="\/admin\/monitoring\/figures\?seen=(ok|degraded)" hx-trigger="every 5s" hx-swap="outerHTML"/,
    );
    expect(html).toMatch(
      /id="monitoring-announce" class="visually-hidden" role="status" aria-live="polite"/,
    );
    // Six charts, each an image with alt text and its numbers; 5 points in the last hour.
    const images = [
      ...html.matchAll(
        /<img class="chart__image" src="data:image\/svg\+xml;base64,[^"]+" alt="([^"]+)"/g,
      ),
    ];
    expect(images).toHaveLength(6);
    expect(images[0]?.[1]).toMatch(
      /^Requests per second over the last hour, 5 points: Requests highest/,
    );
    expect(html).toContain("Show the numbers");
    expect(html).toContain("5 points");
    // The Monitoring tab is current.
    expect(html).toMatch(
      /<a href="\/admin\/monitoring" class="admin-nav__link" aria-current="page">/,
    );

    // The last 24 h: the same samples folded into one 5-minute point.
    const day = main(await (await client.get(`${PAGE}?range=24h`)).text());
    expect(day).toContain("The last 24 hours");
    expect(day).toMatch(/alt="Requests per second over the last 24 hours, 1 point:/);
    // Labelled by the start of its 5 minutes, though its last sample was at 12:00:40.
    expect(day).toMatch(
      /alt="Requests per second over the last 24 hours, 1 point: Requests highest [\d.]+ req\/s at 12:00 UTC/,
    );
    expect(day).toContain("5 minutes from (UTC)");

    const exported = await client.get(`${PAGE}/export.json`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(exported.headers.get("Cache-Control")).toBe("no-store");
    expect(exported.headers.get("Content-Disposition")).toBe(
      'attachment; filename="bastion-monitoring-20260115T120040Z.json"',
    );
    const state = (await exported.json()) as MonitoringExport & { exportedAt: string };
    expect(state.exportedAt).toBe("2026-01-15T12:00:40.000Z");
    expect(["ok", "degraded"]).toContain(state.status.status);
    expect(state.readiness.status).toBe("ok");
    expect(state.checks.map((c) => c.name)).toEqual(t.deps.health.results().map((c) => c.name));
    expect(state.lastHour).toHaveLength(5);
    expect(state.lastDay).toHaveLength(1);
    expect(state.figures.signInsFailed).toBe(3);
    expect(state.figures.windowMs).toBe(300_000);
    expect(state.latestSample?.signInsFailed).toBe(1);
    // A measurement that was not taken is null, not missing and not zero.
    expect(state.lastHour[1]).toHaveProperty("p50Ms", null);
    expect(Array.isArray(state.rules)).toBe(true);
    expect(Array.isArray(state.activeAlerts)).toBe(true);
    expect(Array.isArray(state.history)).toBe(true);
  });

  it("lists active alerts and pages the alert history 50 at a time, escaping what alerts say", async () => {
    t = await createTestApp({ dialect });
    const { client } = await signInAdmin(t, { sudo: false });
    await t.deps.health.runAll();
    await insertAlerts(t, 120);
    await insertFiring(t, "critical");

    const html = main(await (await client.get(PAGE)).text());
    expect(html).toMatch(/id="overall-status" data-status="failing"/);
    expect(html).toContain("Alert error_rate (critical): Error rate 12.5 % over 5 min");
    const active = /id="active-table"[\s\S]*?<\/table>/.exec(html)?.[0] ?? "";
    expect(active.match(/<tr>/g)).toHaveLength(2); // the header and the one firing alert
    expect(active).toContain("12.5 % / 5 %");
    // Every rule of the catalog, with its settings.
    expect(html).toContain('id="rule-error_rate"');
    expect(html).toContain('id="rule-latency_p95"');

    const rowsOf = (page: string) =>
      [
        ...(/id="history-table"[\s\S]*?<\/table>/.exec(page)?.[0] ?? "").matchAll(
          /<code>(\w+)<\/code>/g,
        ),
      ].length;
    expect(rowsOf(html)).toBe(50);
    // Newest first: the firing alert, then the resolved ones from an hour ago backwards.
    expect(html.indexOf("Error rate 12.5 %")).toBeLessThan(html.indexOf("p95 latency 1000 ms"));
    expect(html).not.toContain("<script>alert(");
    expect(html).toContain("&lt;script&gt;alert(0)&lt;/script&gt;");
    const next = /href="([^"]+)"[^>]*id="history-older"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
    // The 50th row is old-048 (fired 1 h 48 min ago): the next page starts before it.
    expect(next).toBe(`${PAGE}?before=2026-01-15T10%3A12%3A00.000Z#history`);

    const second = main(await (await client.get(next as string)).text());
    expect(rowsOf(second)).toBe(50);
    expect(second).toContain("Alerts fired before 2026-01-15 10:12:00 UTC");
    expect(second).toContain("p95 latency 1049 ms");
    expect(second).not.toContain("p95 latency 1048 ms");
    const third = /href="([^"]+)"[^>]*id="history-older"/
      .exec(second)?.[1]
      ?.replaceAll("&amp;", "&");
    const last = main(await (await client.get(third as string)).text());
    expect(rowsOf(last)).toBe(21);
    expect(last).not.toContain('id="history-older"');
    expect(last).toContain("Most recent");
    expect(last).toContain("p95 latency 1119 ms");
    // Before everything: an empty page that says so.
    const none = main(await (await client.get(`${PAGE}?before=2000-01-01T00:00:00Z`)).text());
    expect(none).toContain("No older alerts.");

    // The export carries the same, with the history's most recent 500.
    const state = (await (await client.get(`${PAGE}/export.json`)).json()) as MonitoringExport;
    expect(state.status.status).toBe("failing");
    expect(state.activeAlerts.map((a) => a.id)).toEqual(["now-1"]);
    expect(state.history).toHaveLength(121);
    expect(state.rules.length).toBeGreaterThan(5);
  });
});

describe("/admin/monitoring", () => {
  it("says plainly that nothing was sampled yet, and draws no empty axes", async () => {
    t = await createTestApp();
    const { client } = await signInAdmin(t, { sudo: false });
    const html = main(await (await client.get(PAGE)).text());
    expect(html).toContain("No samples yet.");
    expect(html).not.toContain('id="fig-request-rate"');
    // Checks that have not run yet are listed as such; the critical ones recorded at start are ok.
    expect(html).toContain("not run yet");
    expect(html).toContain("Waiting for its first run.");
    const alts = [...html.matchAll(/class="chart__image"[^>]*alt="([^"]+)"/g)].map((m) => m[1]);
    expect(alts).toHaveLength(6);
    for (const alt of alts) expect(alt).toMatch(/: no samples yet\.$/);
    expect(html).toContain("0 points so far");
  });

  it("runs one check now: 303 back to the page with its result, or the refreshed block for htmx", async () => {
    t = await createTestApp();
    const { client } = await signInAdmin(t, { sudo: false });
    const runs = () => t.deps.health.results().find((c) => c.name === "disk")?.runs ?? 0;
    expect(runs()).toBe(0);

    const res = await runCheck(client, { check: "disk" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PAGE}?ran=disk#checks`);
    expect(runs()).toBe(1);
    const page = main(await (await client.get(`${PAGE}?ran=disk`)).text());
    expect(page).toMatch(/id="run-notice"[\s\S]*Check disk ran: (ok|warn|fail) in \d+ ms\./);
    // The screen-reader line says it too, once, in the live region that stays on the page.
    expect(page).toMatch(/id="monitoring-announce"[^>]*>Check disk ran:/);

    const htmx = await runCheck(client, { check: "memory" }, { "HX-Request": "true" });
    expect(htmx.status).toBe(200);
    const fragment = await htmx.text();
    expect(fragment).not.toContain("<html");
    expect(fragment.startsWith('<div id="monitoring-live"')).toBe(true);
    expect(fragment).toMatch(/Check memory ran: (ok|warn|fail)/);
    expect(fragment).toMatch(
      /<p id="monitoring-announce" hx-swap-oob="innerHTML">Check memory ran:/,
    );
    // The block carries fresh CSRF tokens for its own buttons.
    expect(fragment).toContain('name="_csrf"');
  });

  it("refreshes the block as a fragment, announcing only a change of status", async () => {
    t = await createTestApp();
    const { client } = await signInAdmin(t, { sudo: false });
    await t.deps.health.runAll();
    const first = await client.get(`${PAGE}/figures`, { "HX-Request": "true" });
    expect(first.status).toBe(200);
    expect(first.headers.get("Cache-Control")).toBe("no-store");
    const html = await first.text();
    expect(html).not.toContain("<html");
    expect(html).not.toContain('class="site-header');
    const seen = /figures\?seen=(ok|degraded|failing)/.exec(html)?.[1] as string;
    // No seen status yet (the page's first poll always has one, but a hand-made request has not).
    expect(html).toContain('hx-swap-oob="innerHTML">Status:');
    const same = await (await client.get(`${PAGE}/figures?seen=${seen}`)).text();
    expect(same).not.toContain("hx-swap-oob");
    const changed = await (await client.get(`${PAGE}/figures?seen=failing`)).text();
    expect(changed).toMatch(/hx-swap-oob="innerHTML">Status: (All good|Degraded)\./);
    // A made-up ?seen= is only compared, never echoed.
    const odd = await (
      await client.get(`${PAGE}/figures?seen=%3Cscript%3Ealert(1)%3C/script%3E`)
    ).text();
    expect(odd).not.toContain("<script>alert");
    expect(odd).toMatch(/figures\?seen=(ok|degraded)"/);
  });

  it("refuses forged, malformed and unknown runs without running anything, never with a 500", async () => {
    t = await createTestApp();
    const { client } = await signInAdmin(t, { sudo: false });
    const token = csrfFrom(await (await client.get(PAGE)).text());
    const totalRuns = () => t.deps.health.results().reduce((n, c) => n + c.runs, 0);
    const before = totalRuns();

    // Forged: no token, an empty or wrong one, another site's Origin.
    expect((await client.post(RUN, { check: "database" }, { Origin: ORIGIN })).status).toBe(403);
    expect(
      (await client.post(RUN, { _csrf: "", check: "database" }, { Origin: ORIGIN })).status,
    ).toBe(403);
    expect(
      (await client.post(RUN, { _csrf: "x".repeat(60), check: "database" }, { Origin: ORIGIN }))
        .status,
    ).toBe(403);
    expect(
      (
        await client.post(
          RUN,
          { _csrf: token, check: "database" },
          { Origin: "https://evil.example" },
        )
      ).status,
    ).toBe(403);

    // Names that are not a registered check: a 404 page naming the problem.
    for (const check of [
      "nope",
      "Database",
      "database ",
      "zoë 🚀",
      "'; DROP TABLE users;--",
      "<script>alert(1)</script>",
      "../database",
      "__proto__",
      "constructor",
    ]) {
      const res = await client.post(RUN, { _csrf: token, check }, { Origin: ORIGIN });
      expect(res.status, check).toBe(404);
      const text = await res.text();
      expect(text, check).toContain("There is no health check with that name.");
      expect(text).not.toContain("<script>alert(1)");
    }
    // Missing, empty, overlong, repeated, or with fields the action does not take: 400.
    const bad: Array<[string, string]> = [
      ["missing", `_csrf=${encodeURIComponent(token)}`],
      ["empty", `_csrf=${encodeURIComponent(token)}&check=`],
      ["long", `_csrf=${encodeURIComponent(token)}&check=${"d".repeat(65)}`],
      ["huge", `_csrf=${encodeURIComponent(token)}&check=${"d".repeat(20_000)}`],
      ["twice", `_csrf=${encodeURIComponent(token)}&check=database&check=disk`],
      ["extra", `_csrf=${encodeURIComponent(token)}&check=database&all=1`],
      ["bad utf-8", `_csrf=${encodeURIComponent(token)}&check=%FF%FE`],
    ];
    for (const [label, body] of bad) {
      const res = await client.request(RUN, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
        body,
      });
      expect(res.status, label).toBe(400);
    }
    const json = await client.request(RUN, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "X-CSRF-Token": token },
      body: JSON.stringify({ check: "database" }),
    });
    expect([400, 403, 415]).toContain(json.status);
    const get = await client.get(RUN);
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
    expect(totalRuns()).toBe(before);
  });

  it("reads ?range, ?before and ?ran defensively: a warning or nothing, never an error", async () => {
    t = await createTestApp();
    const { client } = await signInAdmin(t, { sudo: false });
    for (const range of ["7d", "", "%3Cscript%3E", "1h'--", "x".repeat(5000), "24h&range=1h"]) {
      const res = await client.get(`${PAGE}?range=${range}`);
      expect(res.status, range).toBe(200);
      const html = main(await res.text());
      if (range === "" || range.startsWith("24h")) expect(html).not.toContain('id="range-warning"');
      else expect(html, range).toContain('id="range-warning"');
      expect(html).not.toContain("<script>");
    }
    for (const before of [
      "yesterday",
      "2026-13-45T99:99:99Z",
      "2026-01-15",
      "2026-01-15T12:00:00",
      "%F0%9F%9A%80",
      "'; DROP TABLE alerts;--",
      "9".repeat(500),
      "NaN",
    ]) {
      const res = await client.get(`${PAGE}?before=${before}`);
      expect(res.status, before).toBe(200);
      const html = main(await res.text());
      expect(html, before).toContain('id="before-warning"');
      expect(html).toContain("The most recent alerts");
    }
    const ok = main(await (await client.get(`${PAGE}?before=2026-01-15T11:00:00Z`)).text());
    expect(ok).not.toContain('id="before-warning"');
    expect(ok).toContain("Alerts fired before 2026-01-15 11:00:00 UTC");
    expect(ok).toMatch(/href="\/admin\/monitoring#history"[^>]*>Most recent/);
    // ?ran= of a check that has not run, or of no check: no notice, no echo.
    for (const ran of ["disk", "<b>x</b>", "database%00"]) {
      const html = main(await (await client.get(`${PAGE}?ran=${ran}`)).text());
      expect(html, ran).not.toContain('id="run-notice"');
      expect(html).not.toContain("<b>x</b>");
    }
  });
});
