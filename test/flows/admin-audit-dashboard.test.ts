import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, ORIGIN } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { signInAdmin, signInUser } from "./admin-user-fixture.js";
import { DAY, failed, HOUR, insertEvents, succeeded } from "./audit-dashboard-fixture.js";
import { seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function main(html: string): string {
  return html.slice(html.indexOf("<main"), html.indexOf("</main>"));
}

/** The SVG documents of the page's chart images (every variant), decoded. */
function chartSvgs(html: string): string[] {
  return [...html.matchAll(/data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/g)].map((m) =>
    Buffer.from(m[1] as string, "base64").toString("utf8"),
  );
}

const stat = (html: string, id: string) =>
  new RegExp(`id="${id}">(?:<a [^>]*>)?([^<]*)<`).exec(html)?.[1];

describe.each(availableDialects())("the audit dashboard (%s)", (dialect) => {
  async function seeded() {
    t = await createTestApp({ dialect });
    const jane = await seedUser(t, { email: "jane@example.com" });
    const zoe = await seedUser(t, { email: "zoë@exämple.com" });
    const now = t.clock.now();
    await insertEvents(t.deps.db, now, [
      succeeded(2 * HOUR, jane.id),
      succeeded(2 * DAY, jane.id, { method: "oauth_github", provider: "github" }),
      succeeded(3 * DAY, zoe.id, { method: "password", secondFactor: "totp" }),
      failed(1 * HOUR, { targetId: jane.id }),
      failed(2 * HOUR, { targetId: jane.id }),
      failed(3 * HOUR, { targetId: zoe.id, ip: "198.51.100.7" }),
      failed(4 * HOUR, { ip: "<script>alert(1)</script>" }),
      failed(20 * DAY, { targetId: jane.id }),
      { type: "csrf_rejected", outcome: "denied", ip: "192.0.2.66", agoMs: 30 * 60_000 },
      // The lock follows the failure that set it.
      { type: "account_locked", targetId: jane.id, agoMs: 2 * HOUR - 60_000 },
      { type: "logout", outcome: "success", actorId: jane.id, agoMs: 10 * 60_000 },
      { type: "user_registered", outcome: "success", actorId: zoe.id, agoMs: 5 * DAY },
    ]);
    const { client, admin } = await signInAdmin(t, { sudo: false });
    return { jane, zoe, client, admin };
  }

  it("shows the week's figures, three charts as images with alt text and tables, and the feed", async () => {
    const { client, jane } = await seeded();
    const res = await client.get("/admin/audit");
    expect(res.status).toBe(200);
    const html = main(await res.text());
    // The admin's own sign-in just now counts too.
    expect(stat(html, "stat-succeeded")).toBe("4");
    expect(stat(html, "stat-failed")).toBe("4");
    expect(stat(html, "stat-rate")).toBe("50%");
    expect(stat(html, "stat-users")).toBe("3");
    expect(stat(html, "stat-oauth")).toBe("25%");
    expect(stat(html, "stat-2fa")).toBe("25%");
    expect(stat(html, "stat-registrations")).toBe("1");
    // The Admin section's tab bar has an Audit tab, open here.
    expect(html).toMatch(/<a href="\/admin\/audit" class="admin-nav__link" aria-current="page">/);
    expect(html).toMatch(
      /<a class="period-switch__link" href="\/admin\/audit\?period=7d"[^>]*aria-current="page"/,
    );

    // Three charts, each an image with words for its alt and a table of its numbers.
    const images = [
      ...html.matchAll(
        /<img class="chart__image" src="data:image\/svg\+xml;base64,[^"]+" alt="([^"]+)"/g,
      ),
    ];
    expect(images.map((m) => m[1])).toEqual([
      "Sign-ins per day over the last 7 days: 4 succeeded, 4 failed. Most failures at 15 Jan: 4.",
      "Failed sign-ins by source address over the last 7 days, 3 shown: 203.0.113.9 first with 2 of 4.",
      "Failed sign-ins by account over the last 7 days, 3 shown: jane@example.com first with 2 of 4.",
    ]);
    expect(html.match(/<details class="chart__data">/g)).toHaveLength(3);
    expect(html).toContain('<th scope="row">Thu, 15 Jan 2026</th>');
    expect(html).toContain(`<a href="/admin/users/${jane.id}">jane@example.com</a>`);
    expect(html).toContain("zoë@exämple.com");
    expect(html).toContain("Addresses with no account");

    // The drawn charts: real SVG, the series named, every label escaped.
    const svgs = chartSvgs(html);
    expect(svgs.length).toBeGreaterThanOrEqual(3);
    for (const svg of svgs) {
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).not.toMatch(/<script|\son\w+=/i);
    }
    expect(svgs.some((svg) => svg.includes("Succeeded") && svg.includes("Failed"))).toBe(true);
    expect(svgs.some((svg) => svg.includes("&lt;script&gt;alert(1)"))).toBe(true);
    expect(svgs.some((svg) => svg.includes("zoë@exämple.com"))).toBe(true);

    // No chart script, no style attribute (the CSP forbids them), the stored IP as text.
    expect(html).not.toContain("echarts");
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("the security feed lists the last 24 h of failures and security events, newest first, linked", async () => {
    const { client, jane } = await seeded();
    const html = main(await (await client.get("/admin/audit")).text());
    const feed = html.slice(html.indexOf('id="feed-title"'));
    const labels = [...feed.matchAll(/<a href="\/admin\/audit\/events\/([^"]+)">([^<]+)<\/a>/g)];
    expect(labels.map((m) => m[2])).toEqual([
      "Form rejected by the CSRF check",
      "Sign-in failed",
      "Sign-in locked after failed attempts",
      "Sign-in failed",
      "Sign-in failed",
      "Sign-in failed",
    ]);
    expect(labels[0]?.[1]).toBe("seed-8-csrf_rejected");
    expect(feed).not.toContain("Signed out");
    expect(feed).toContain(`<a href="/admin/users/${jane.id}">jane@example.com</a>`);
    expect(feed).toContain("No such account");
    expect(feed).not.toContain("unknown email");
    expect(feed).toContain("wrong password");
    const seeAll = /<a href="(\/admin\/audit\/events\?[^"]+)">See all/.exec(feed)?.[1];
    expect(seeAll).toBeDefined();
    const params = new URL(seeAll?.replaceAll("&amp;", "&") ?? "", ORIGIN).searchParams;
    expect(params.get("type")?.split(",")).toContain("login_failed");
    expect(params.get("from")).toBe("2026-01-14T12:00");
    // The link opens the explorer with that filter, not an error.
    expect((await client.get(seeAll?.replaceAll("&amp;", "&") ?? "")).status).toBe(200);
  });

  it("24 h counts per hour; 30 d reaches further back", async () => {
    const { client } = await seeded();
    const day = main(await (await client.get("/admin/audit?period=24h")).text());
    expect(day).toContain("Sign-ins per hour");
    expect(stat(day, "stat-failed")).toBe("4");
    expect(day).toContain('<th scope="row">11:00</th>');
    const month = main(await (await client.get("/admin/audit?period=30d")).text());
    expect(stat(month, "stat-failed")).toBe("5");
    expect(month).toMatch(/href="\/admin\/audit\?period=30d"[^>]*aria-current="page"/);
  });

  it("bad period values show the 7 days with a notice, never an error", async () => {
    const { client } = await seeded();
    const bad = [
      "1y",
      "7D",
      "0",
      "-1",
      "7d%00",
      "%27%20OR%201%3D1--",
      "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      "%E2%9C%93",
      "x".repeat(5000),
      "__proto__",
      "constructor",
    ];
    for (const value of bad) {
      const res = await client.get(`/admin/audit?period=${value}`);
      expect(res.status, value).toBe(200);
      const html = main(await res.text());
      expect(html).toContain("That period is not one of 24 hours, 7, 30 or 90 days");
      expect(html).toContain("Sign-ins per day");
      expect(html).not.toContain("<script>alert(1)");
    }
    const empty = main(await (await client.get("/admin/audit?period=")).text());
    expect(empty).not.toContain("That period is not");
    // A repeated parameter: the first one counts.
    const twice = main(await (await client.get("/admin/audit?period=24h&period=x")).text());
    expect(twice).toContain("Sign-ins per hour");
  });

  it("a new install shows zeros and charts that say there is nothing yet", async () => {
    // The admin's own sign-in is the only event: a week later it is out of every window.
    t = await createTestApp({ dialect, env: { SESSION_IDLE_TIMEOUT_MINUTES: "20000" } });
    const { client } = await signInAdmin(t, { sudo: false });
    t.clock.advance(8 * DAY);
    const html = main(await (await client.get("/admin/audit")).text());
    expect(stat(html, "stat-succeeded")).toBe("0");
    expect(stat(html, "stat-rate")).toBe("—");
    expect(stat(html, "stat-oauth")).toBe("—");
    const svgs = chartSvgs(html);
    expect(svgs.some((svg) => svg.includes("No sign-ins in the last 7 days"))).toBe(true);
    expect(svgs.some((svg) => svg.includes("No failed sign-ins"))).toBe(true);
    expect(html).toContain("Sign-ins per day: none in the last 7 days.");
    expect(html).toContain("No failed sign-ins, lockouts, rate limits");
  });

  it("an explicit dark theme gets dark charts only; 'system' lets the browser choose", async () => {
    const { client } = await seeded();
    const system = main(await (await client.get("/admin/audit")).text());
    expect(system).toContain('<source media="(prefers-color-scheme: dark)"');
    const page = await (await client.get("/account/settings")).text();
    const set = await client.post(
      "/account/theme",
      { _csrf: csrfFrom(page), theme: "dark" },
      { Origin: ORIGIN, Referer: `${ORIGIN}/admin/audit` },
    );
    expect(set.status).toBe(303);
    const dark = main(await (await client.get("/admin/audit")).text());
    expect(dark).not.toContain("prefers-color-scheme");
    const svgs = chartSvgs(dark);
    expect(svgs.some((svg) => svg.includes("#8b93ff"))).toBe(true);
    expect(svgs.some((svg) => svg.includes("#4f46e5"))).toBe(false);
  });

  it("threat: reconnaissance. Anonymous visitors and non-admins get the 404 of an unknown path", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "jane@example.com" });
    const anonymous = await t.newClient().get("/admin/audit?period=24h");
    expect(anonymous.status).toBe(404);
    const user = await signInUser(t, "jane@example.com");
    for (const path of ["/admin/audit", "/admin/audit?period=30d", "/admin/audit/"]) {
      expect((await user.get(path)).status, path).toBe(404);
    }
  });
});
