import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { AUDIT_RETENTION_LEASE } from "../../src/audit/jobs.js";
import { envSchema } from "../../src/config/schema.js";
import { leaseHolder } from "../../src/jobs/lease.js";
import { SESSION_CLEANUP_LEASE } from "../../src/sessions/cleanup.js";
import { type Cluster, startCluster } from "../cluster/cluster.js";
import { type Answer, csrfOf, send, Visitor } from "../cluster/http.js";
import { nginxAvailable } from "../cluster/nginx.js";
import {
  CLUSTER_PASSWORD,
  clearOfWindowEdge,
  dashboard,
  msUntil,
  register,
  signIn,
  tally,
  upstreamOf,
  userCommandOn,
  verifiedUser,
} from "../cluster/scenarios.js";

const pgUrl = inject("pgUrl");
const redisUrl = inject("redisUrl");
const haveNginx = nginxAvailable();
if (!haveNginx && process.env.REQUIRE_SERVICES === "1") {
  throw new Error("REQUIRE_SERVICES=1 but /usr/sbin/nginx is missing (.ci/run installs it)");
}
if (!haveNginx) console.warn("[cluster] /usr/sbin/nginx missing: the scale-out suite is skipped");

const ROOT = join(import.meta.dirname, "../..");
const MIGRATIONS = readdirSync(join(ROOT, "migrations/postgres")).filter((f) => f.endsWith(".sql"));
/**
 * The session cache's TTL as long as the schema allows (the issue asks for
 * 300 s): revocation must not wait for it, so a refusal within 1 s can only
 * come from the eviction message.
 */
const CACHE_TTL = envSchema.shape.SESSION_CACHE_TTL_SECONDS.safeParse("300").success ? "300" : "60";
const LOGIN_LIMIT = 20; // the `login` policy: 20 submissions per client address per 10 minutes
const WINDOW_MS = 10 * 60_000;
const METRICS_TOKEN = "cluster-metrics-token-0123456789";

/**
 * Scale-out, for real: three server processes on one PostgreSQL schema and
 * one Redis, behind nginx (test/cluster/). Each test names the failure of a
 * multi-instance deployment it rules out. The tests share the cluster and run
 * in order; the last one kills an instance.
 */
describe.skipIf(!pgUrl || !redisUrl || !haveNginx)(
  "three instances behind nginx on PostgreSQL + Redis",
  () => {
    let cluster: Cluster;
    let failed = false;
    let clients = 0;
    /** A client address of its own per visitor: each starts with fresh per-address limits. */
    const address = () => cluster.clientAddress(clients++);

    /** A counter's value on one instance's /metrics; 0 while the series does not exist yet. */
    async function metric(base: string, series: RegExp): Promise<number> {
      const answer = await send(`${base}/metrics`, {
        from: address(),
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      if (answer.status !== 200) throw new Error(`${base}/metrics answered ${answer.status}`);
      return Number(series.exec(answer.body)?.[1] ?? 0);
    }

    /** Rate-limit calls that Redis did not answer in time, over all instances. */
    async function storeFallbacks(): Promise<number> {
      const counts = await Promise.all(
        cluster.instances.map((i) =>
          metric(i.url, /^rate_limit_store_errors_total\{store="redis"\} (\d+)$/m),
        ),
      );
      return counts.reduce((a, b) => a + b, 0);
    }

    beforeAll(async () => {
      cluster = await startCluster({
        pgUrl: pgUrl ?? "",
        redisUrl: redisUrl ?? "",
        env: { SESSION_CACHE_TTL_SECONDS: CACHE_TTL, METRICS_TOKEN },
      });
    }, 120_000);
    afterEach((context) => {
      if (context.task.result?.state === "fail") failed = true;
    });
    afterAll(async () => {
      await cluster?.stop({ keepLogs: failed });
    });

    it("threat: instances started at once on an empty database race to migrate it; each migration is applied once", async () => {
      const rows = await cluster.db.query<{ version: string; n: number }>(
        "SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version",
      );
      expect(rows).toHaveLength(MIGRATIONS.length);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      // Whichever instance holds the advisory lock applies what is pending; the others
      // wait for it and find less (or nothing) to do. Together: every migration, once.
      const applied = cluster.instances.flatMap((i) =>
        i
          .logs()
          .flatMap((l) =>
            l.msg === "database migrations applied" ? (l.versions as string[]) : [],
          ),
      );
      expect(applied.map(String).sort()).toEqual(rows.map((r) => String(r.version)).sort());
      for (const instance of cluster.instances) {
        expect(instance.logs().filter((l) => l.level >= 50)).toEqual([]);
      }
    });

    it("a session created through one instance is accepted by every instance and through the proxy", async () => {
      const email = "everywhere@cluster.test";
      await verifiedUser(cluster, address(), email);
      const [first, ...others] = cluster.instances;
      const visitor = new Visitor(address(), cluster.url);
      await signIn(first?.url ?? "", visitor, email);
      for (const instance of others) expect(await dashboard(instance.url, visitor)).toBe(200);
      const served = new Set<number | undefined>();
      for (let i = 0; i < 6; i++) {
        const answer = await visitor.get(`${cluster.url}/dashboard`);
        expect(answer.status).toBe(200);
        served.add(upstreamOf(cluster, answer));
      }
      expect(served).toEqual(new Set([0, 1, 2])); // round robin reached every instance
      // And the other way: signed in through the proxy, accepted by each instance directly.
      const second = new Visitor(address(), cluster.url);
      await signIn(cluster.url, second, email);
      for (const instance of cluster.instances)
        expect(await dashboard(instance.url, second)).toBe(200);
    });

    describe("revocation reaches every instance within 1 s (cache TTL set far longer)", () => {
      /** A user signed in twice: `actor` on instance 0, `victim` cached by instances 1 and 2. */
      async function twoSessions(email: string) {
        await verifiedUser(cluster, address(), email);
        const actor = new Visitor(address(), cluster.url);
        await signIn(cluster.instances[0]?.url ?? "", actor, email);
        const victim = new Visitor(address(), cluster.url);
        await signIn(cluster.instances[1]?.url ?? "", victim, email);
        // Both other instances look the session up, then answer from their cache:
        // what the revocation must reach.
        for (const i of [1, 2]) {
          const url = cluster.instances[i]?.url ?? "";
          expect(await dashboard(url, victim)).toBe(200);
          const hits = await cacheHits(url);
          expect(await dashboard(url, victim)).toBe(200);
          expect(await cacheHits(url)).toBeGreaterThan(hits);
        }
        return { actor, victim };
      }

      /** Measures from the revoking request's answer to the refusal on both other instances. */
      async function expectRefusedWithinOneSecond(
        victim: Visitor,
        annotate: (message: string) => Promise<unknown>,
      ): Promise<void> {
        const ms = await refusedEverywhere(victim);
        await annotate(
          ms === undefined
            ? "still accepted by another instance after 1 s"
            : `refused by instances 1 and 2 after ${Math.round(ms)} ms`,
        );
        expect(ms).toBeDefined();
      }

      async function cacheHits(base: string): Promise<number> {
        return metric(base, /^session_cache_total\{result="hit"\} (\d+)$/m);
      }

      /** Ms until instances 1 and 2 both refuse the victim, or undefined past 1 s. */
      async function refusedEverywhere(victim: Visitor): Promise<number | undefined> {
        const urls = [cluster.instances[1]?.url ?? "", cluster.instances[2]?.url ?? ""];
        return msUntil(
          async () =>
            (await Promise.all(urls.map((u) => dashboard(u, victim)))).every((s) => s === 303),
          1_000,
        );
      }

      it("threat: a session revoked on one instance stays usable on the others until their cache expires", async ({
        annotate,
      }) => {
        const email = "revoked@cluster.test";
        const { actor, victim } = await twoSessions(email);
        const newest = await cluster.db.one<{ id: string }>(
          `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE lower(u.email) = $1 ORDER BY s.created_at DESC LIMIT 1`,
          [email],
        );
        const base = cluster.instances[0]?.url ?? "";
        const page = await actor.get(`${base}/account/sessions`);
        const answer = await actor.post(`${base}/account/sessions/${newest?.id}/revoke`, {
          _csrf: csrfOf(page, "/account/sessions"),
        });
        expect(answer.status).toBe(303);
        await expectRefusedWithinOneSecond(victim, annotate);
      });

      it("threat: after a password change on one instance, the old sessions live on elsewhere", async ({
        annotate,
      }) => {
        const { actor, victim } = await twoSessions("changed@cluster.test");
        const base = cluster.instances[0]?.url ?? "";
        const answer = await actor.submit(`${base}/account/password`, {
          current_password: CLUSTER_PASSWORD,
          new_password: `${CLUSTER_PASSWORD} and a new line`,
        });
        expect(answer.status).toBe(303);
        await expectRefusedWithinOneSecond(victim, annotate);
      });

      it("threat: a deactivated user keeps browsing on the instances that did not deactivate them", async ({
        annotate,
      }) => {
        const email = "deactivated@cluster.test";
        const { victim } = await twoSessions(email);
        await userCommandOn(cluster, 0, ["deactivate", email]);
        await expectRefusedWithinOneSecond(victim, annotate);
      });
    });

    it("threat: each instance counts its own attempts, so 3 instances admit 3x the limit; the shared limit admits exactly N", async () => {
      const attempts = LOGIN_LIMIT + 10;
      // Per-account counters are keyed by the address typed: fresh ones per run.
      const run = randomBytes(4).toString("hex");
      const browser = new Visitor(address(), cluster.url);
      const token = csrfOf(await browser.get(`${cluster.url}/auth/login`), "/auth/login");
      /** One wrong password from `from` to `base`, forging a different client each time. */
      const guess = (base: string, i: number, from: string) => {
        const visitor = new Visitor(from, cluster.url);
        for (const [name, value] of browser.cookies) visitor.cookies.set(name, value);
        return visitor.post(
          `${base}/auth/login`,
          { _csrf: token, email: `nobody${i}.${run}@cluster.test`, password: `wrong ${i}` },
          { "x-forwarded-for": `198.51.100.${i + 1}`, "user-agent": `limiter-${from}` },
        );
      };
      /**
       * All attempts at once from one fresh address. When Redis does not answer an
       * instance within its 500 ms timeout (a machine loaded by other work), that
       * instance counts in its insurance limiter: the configured fail mode, not the
       * shared count this test is about. Such a burst is run again, once.
       */
      const burst = async (base: (i: number) => string) => {
        for (let round = 0; ; round++) {
          const from = address();
          const before = await storeFallbacks();
          const answers = await Promise.all(
            Array.from({ length: attempts }, (_, i) => guess(base(i), i, from)),
          );
          if ((await storeFallbacks()) === before || round === 1) return { answers, from };
        }
      };
      await clearOfWindowEdge(WINDOW_MS);

      // Straight to the instances in turn: the forged header is ignored (the socket
      // is not the trusted proxy).
      const direct = await burst((i) => cluster.instances[i % 3]?.url ?? "");
      expect(tally(direct.answers.map((a) => a.status))).toEqual({
        401: LOGIN_LIMIT,
        429: attempts - LOGIN_LIMIT,
      });
      // Through the proxy, spread by its round robin: counted by the client's address
      // nginx appended, not by the one each request forged.
      const proxied = await burst(() => cluster.url);
      expect(tally(proxied.answers.map((a) => a.status))).toEqual({
        401: LOGIN_LIMIT,
        429: attempts - LOGIN_LIMIT,
      });
      expect(new Set(proxied.answers.map((a) => upstreamOf(cluster, a)))).toEqual(
        new Set([0, 1, 2]),
      );
      const audited = await cluster.db.query<{ ip: string }>(
        "SELECT DISTINCT ip FROM audit_events WHERE user_agent = $1",
        [`limiter-${proxied.from}`],
      );
      expect(audited.map((r) => r.ip)).toEqual([proxied.from]);
      // And not by nginx's own 127.0.0.1, which every proxied request shares.
      expect((await guess(cluster.url, 0, address())).status).toBe(401);
    }, 60_000);

    it("threat: the audit log records the proxy's address, or an address the client forged, instead of the client's", async () => {
      const client = address();
      const marker = `ip-check-${client}`;
      const forged = { "x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": marker };
      // A POST without a CSRF token is refused (403) and audited with the client's address.
      for (let i = 0; i < 3; i++) {
        expect(
          (
            await send(`${cluster.url}/auth/logout`, {
              from: client,
              method: "POST",
              headers: forged,
            })
          ).status,
        ).toBe(403);
      }
      for (const instance of cluster.instances) {
        const answer = await send(`${instance.url}/auth/logout`, {
          from: client,
          method: "POST",
          headers: forged,
        });
        expect(answer.status).toBe(403);
      }
      const rows = await cluster.db.query<{ ip: string }>(
        "SELECT ip FROM audit_events WHERE user_agent = $1",
        [marker],
      );
      expect(rows.map((r) => r.ip)).toEqual(Array(6).fill(client));
    });

    describe("malformed X-Forwarded-For: the socket address or the last trusted hop, never a 500", () => {
      const many = Array.from({ length: 1000 }, (_, i) => `198.18.${i >> 8}.${i & 255}`).join(", ");
      /** [name, header lines, what the app must record for a direct request from nginx's own address] */
      const cases: Array<[string, string | string[], string | "socket"]> = [
        ["garbage", "not an address", "socket"],
        ["empty", "", "socket"],
        ["only commas", " , ,,", "socket"],
        ["1000 entries", many, "198.18.3.231"],
        ["IPv6 with a zone", "fe80::1%eth0", "fe80::1"],
        ["bracketed IPv6 with port", "[2001:db8::1]:443", "2001:db8::1"],
        ["IPv4 with port", "192.0.2.9:8080", "192.0.2.9"],
        ["SQL injection", "1.2.3.4'; DROP TABLE users;--", "socket"],
        ["markup", "<script>alert(1)</script>", "socket"],
        ["out-of-range octets", "999.1.1.1", "socket"],
        ["latin-1 bytes", "caf\u00e9", "socket"],
        ["garbage after a good hop", "192.0.2.1, junk", "socket"],
        ["good hop after garbage", "junk, 192.0.2.1", "192.0.2.1"],
        ["several header lines", ["192.0.2.1", "198.51.100.2"], "198.51.100.2"],
        ["the proxy itself forged", "127.0.0.1, 127.0.0.1", "127.0.0.1"],
      ];
      let n = 0;

      /** The address audited for one refused POST carrying `xff`, from `from` to `base`. */
      async function audited(base: string, from: string, xff: string | string[]) {
        const marker = `xff-case-${n++}`;
        const answer: Answer = await send(`${base}/auth/logout`, {
          from,
          method: "POST",
          headers: { "x-forwarded-for": xff, "user-agent": marker },
        });
        const health = await send(`${base}/healthz`, { from, headers: { "x-forwarded-for": xff } });
        const row = await cluster.db.one<{ ip: string }>(
          "SELECT ip FROM audit_events WHERE user_agent = $1",
          [marker],
        );
        return { status: answer.status, health: health.status, ip: row?.ip };
      }

      it.each(cases)("%s", async (_name, xff, fromProxy) => {
        const client = address();
        const instance = cluster.instances[n % 3]?.url ?? "";
        // Through nginx: it appends the client's address, which is what counts.
        expect(await audited(cluster.url, client, xff)).toEqual({
          status: 403,
          health: 200,
          ip: client,
        });
        // Straight to an instance from an untrusted address: the header is not read at all.
        expect(await audited(instance, client, xff)).toEqual({
          status: 403,
          health: 200,
          ip: client,
        });
        // From the trusted proxy's own address, as if nginx had passed it on unchanged:
        // the walk from the right stops at the first unparsable or untrusted entry.
        const ip = fromProxy === "socket" ? "127.0.0.1" : fromProxy;
        expect(await audited(instance, "127.0.0.1", xff)).toEqual({ status: 403, health: 200, ip });
      });
    });

    it("threat: two instances' outbox loops both send one queued mail; each mail goes out exactly once", async () => {
      const count = 30;
      const emails = Array.from({ length: count }, (_, i) => `mail${i}@cluster.test`);
      const answers = await Promise.all(
        emails.map((email) => register(cluster.url, new Visitor(address(), cluster.url), email)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(count).fill(200));
      expect(new Set(answers.map((a) => upstreamOf(cluster, a)))).toEqual(new Set([0, 1, 2]));
      const received = () =>
        cluster.smtp.messages.filter((m) => emails.includes(m.envelopeTo[0] ?? ""));
      expect(await msUntil(async () => received().length >= count, 30_000)).toBeDefined();
      // Every instance polls every 250 ms: a few more rounds for a duplicate to show up.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(tally(received().map((m) => m.envelopeTo.join(",")))).toEqual(
        Object.fromEntries(emails.map((e) => [e, 1])),
      );
      const rows = await cluster.db.query<{ id: string; status: string; attempts: number }>(
        "SELECT id, status, attempts FROM mail_outbox WHERE to_address LIKE 'mail%@cluster.test'",
      );
      expect(rows).toHaveLength(count);
      expect(rows.every((r) => r.status === "sent" && Number(r.attempts) === 1)).toBe(true);
      // Each outbox row logged as sent once, by whichever instance claimed it: the
      // instances really shared the work, and never took the same row twice.
      const outboxIds = new Set(rows.map((r) => r.id));
      const sent = cluster.instances.flatMap((i) =>
        i
          .logs()
          .filter((l) => l.msg === "mail sent" && outboxIds.has(String(l.outboxId)))
          .map((l) => ({ id: String(l.outboxId), by: i.index })),
      );
      expect(sent.map((s) => s.id).sort()).toEqual([...outboxIds].sort());
      expect(new Set(sent.map((s) => s.by)).size).toBeGreaterThan(1);
    });

    it("threat: every instance runs session cleanup and audit retention on its own timer; of three ticking at once, one runs", async () => {
      for (const job of [SESSION_CLEANUP_LEASE, AUDIT_RETENTION_LEASE]) {
        const decisions = () =>
          cluster.instances.map(
            (i) =>
              i.logs().find((l) => l.job === job && /^job (ran|skipped)/.test(l.msg))?.msg ??
              "none",
          );
        // Each instance's first tick comes a few seconds after its start (the next in
        // 15 minutes or a day): all three raced for the lease within seconds.
        await msUntil(async () => !decisions().includes("none"), 30_000);
        const seen = decisions();
        expect(seen.filter((m) => m === "job ran")).toHaveLength(1);
        expect(seen.filter((m) => m.startsWith("job skipped"))).toHaveLength(2);
        const ran = cluster.instances[seen.indexOf("job ran")];
        const lease = await leaseHolder(cluster.db, job);
        expect(lease?.holder).toContain(`:${ran?.main.child.pid}:`);
      }
    });

    it("threat: an instance killed mid-traffic loses acknowledged writes, or takes the site down with it", async () => {
      const victim = cluster.instances[2];
      if (!victim) throw new Error("no instance 2");
      /** One registration: its POST's start, and the answer to it (or the client's error). */
      const writes: Array<{ email: string; posted: number; answer?: Answer; error?: string }> = [];
      let stop = false;
      let next = 0;
      // Four writers at once, each registration a new users row, through the proxy.
      const writer = async () => {
        while (!stop && next < 120) {
          const email = `durable${next++}@cluster.test`;
          const visitor = new Visitor(address(), cluster.url);
          const page = await visitor.get(`${cluster.url}/auth/register`);
          const write: (typeof writes)[number] = { email, posted: performance.now() };
          writes.push(write);
          try {
            write.answer = await visitor.post(`${cluster.url}/auth/register`, {
              _csrf: csrfOf(page, "/auth/register"),
              email,
              password: CLUSTER_PASSWORD,
              first_name: "Durable",
              last_name: "Writer",
            });
          } catch (error) {
            write.error = (error as Error).message;
          }
        }
      };
      const running = Promise.all([writer(), writer(), writer(), writer()]);
      // Kill once the victim has acknowledged some writes, so they are what is checked.
      await msUntil(
        async () =>
          writes.filter((w) => w.answer && upstreamOf(cluster, w.answer) === 2).length >= 3,
        30_000,
      );
      victim.main.child.kill("SIGKILL");
      await victim.main.exited;
      const goneAt = performance.now();
      await new Promise((r) => setTimeout(r, 2_000));
      stop = true;
      await running;

      const acknowledged = writes.filter((w) => w.answer?.status === 200);
      const stored = await cluster.db.query<{ email: string }>(
        "SELECT email FROM users WHERE email LIKE 'durable%@cluster.test'",
      );
      const storedEmails = new Set(stored.map((r) => r.email));
      expect(acknowledged.filter((w) => !storedEmails.has(w.email)).map((w) => w.email)).toEqual(
        [],
      );
      expect(acknowledged.some((w) => w.answer && upstreamOf(cluster, w.answer) === 2)).toBe(true);
      // A POST the victim had when it died is answered 502: nginx does not replay a
      // non-idempotent request it already sent. Whether its write committed is unknown to
      // the client, as with any lost connection. Every POST sent once it was gone succeeds.
      const after = writes.filter((w) => w.posted > goneAt);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((w) => w.answer?.status !== 200)).toEqual([]);
      const lost = writes.filter((w) => w.answer?.status !== 200);
      expect(lost.filter((w) => w.posted > goneAt || w.answer?.status !== 502)).toEqual([]);
      expect(lost.every((w) => w.answer && upstreamOf(cluster, w.answer) === 2)).toBe(true);
      // Reads keep working through the proxy, served by the two survivors.
      const reads = await Promise.all(
        Array.from({ length: 12 }, () => send(`${cluster.url}/healthz`, { from: address() })),
      );
      expect(reads.map((r) => r.status)).toEqual(Array(12).fill(200));
      expect(new Set(reads.map((r) => upstreamOf(cluster, r)))).toEqual(new Set([0, 1]));
    }, 60_000);
  },
);
