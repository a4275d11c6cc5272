import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { csrfToken, ORIGIN, PASSWORD, seedUser } from "./login-fixture.js";

/**
 * A password login writes its session row once: the INSERT carries the
 * final token hash and the final CSRF secret. Before issue 10 the row was
 * inserted with a throwaway secret and updated in the same request, which
 * cost a second write (and, on DuckDB, a second commit) on every sign-in.
 * Counted through deps.queryStats, which sees every statement the adapters
 * run, so the check holds on any machine and on both dialects.
 */
describe.each(availableDialects())("password login statements (%s)", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "counted@example.com" });
  });
  afterAll(async () => {
    await t?.close();
  });

  const counts = () =>
    new Map(t.deps.queryStats.snapshot().map((s) => [s.fingerprint, s.count] as const));

  it("one session INSERT, no UPDATE of the row just written", async () => {
    const client = t.newClient();
    const token = await csrfToken(client);
    await t.settle();
    const before = counts();
    const res = await client.post(
      "/auth/login",
      { _csrf: token, email: "counted@example.com", password: PASSWORD },
      { Origin: ORIGIN },
    );
    await t.settle();
    const ran = [...counts()]
      .map(([fp, n]) => [fp, n - (before.get(fp) ?? 0)] as const)
      .filter(([, n]) => n > 0);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/dashboard");

    const touching = (verb: string) =>
      ran.filter(([fp]) => fp.startsWith(verb) && /\bsessions\b/.test(fp));
    const inserts = touching("insert into sessions");
    expect(inserts.map(([, n]) => n)).toEqual([1]);
    expect(touching("update sessions")).toEqual([]);

    // The sign-in's writes (session, last_login_at, cleared count, notice, audit) commit
    // together: all or nothing, and one commit instead of one each.
    const verbs = (verb: string) => ran.filter(([fp]) => fp.startsWith(verb)).map(([, n]) => n);
    expect(verbs("begin")).toEqual([1]);
    expect(verbs("commit")).toEqual([1]);
    // Its attempt slot is not given back separately: the count is cleared in that transaction.
    expect(verbs("update login_attempts")).toEqual([]);
    expect(verbs("delete from login_attempts")).toEqual([1]);

    // The one row is the whole session: the cookie signs in, and a form
    // rendered now carries a token bound to the secret that INSERT wrote.
    const dashboard = await client.get("/dashboard");
    expect(dashboard.status).toBe(200);
    const form = await csrfToken(client, "/account");
    const saved = await client.post(
      "/account",
      { _csrf: form, first_name: "Counted", last_name: "Once" },
      { Origin: ORIGIN },
    );
    expect(saved.status).toBeLessThan(400);
  });
});
