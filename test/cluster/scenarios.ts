import { runThroughServer } from "../../src/cli/control/client.js";
import { controlSocketPath } from "../../src/cli/control/protocol.js";
import type { Cluster } from "./cluster.js";
import { type Answer, Visitor } from "./http.js";

/** Strong enough for the production password policy; never a real one. */
export const CLUSTER_PASSWORD = "Seven blue kites over Harbour Lane 42";

/** The instance (0, 1, 2...) that answered through the proxy, from nginx's X-Upstream. */
export function upstreamOf(cluster: Cluster, answer: Answer): number | undefined {
  const header = String(answer.headers["x-upstream"] ?? "");
  // After a retry nginx lists every upstream it tried ("a, b"): the last one answered.
  const last = header.split(",").pop()?.trim() ?? "";
  const found = cluster.instances.find((i) => last === `127.0.0.1:${i.port}`);
  return found?.index;
}

/** Registers through `base` (an instance or the proxy): 200 "Check your inbox" when accepted. */
export async function register(base: string, visitor: Visitor, email: string): Promise<Answer> {
  return visitor.submit(`${base}/auth/register`, {
    email,
    password: CLUSTER_PASSWORD,
    first_name: "Cluster",
    last_name: "Tester",
  });
}

/** A verified account, registered through the proxy as a user would, its email confirmed in the database. */
export async function verifiedUser(cluster: Cluster, from: string, email: string): Promise<void> {
  const answer = await register(cluster.url, new Visitor(from, cluster.url), email);
  if (answer.status !== 200) throw new Error(`register ${email}: ${answer.status}`);
  const changed = await cluster.db.execute(
    "UPDATE users SET email_verified_at = now() WHERE lower(email) = lower($1)",
    [email],
  );
  if (changed !== 1) throw new Error(`register ${email}: no users row`);
}

/** Signs in through `base`; the visitor keeps the session cookie. */
export async function signIn(base: string, visitor: Visitor, email: string): Promise<void> {
  const answer = await visitor.submit(`${base}/auth/login`, { email, password: CLUSTER_PASSWORD });
  if (answer.status !== 303 || answer.headers.location !== "/dashboard") {
    throw new Error(`sign-in of ${email} through ${base}: ${answer.status}`);
  }
}

/** 200: the session is accepted; 303 to /auth/login: refused. */
export async function dashboard(base: string, visitor: Visitor): Promise<number> {
  return (await visitor.get(`${base}/dashboard`)).status;
}

/** Runs `npm run cli -- user <args>` on instance `index`'s own Deps, through its control socket. */
export async function userCommandOn(cluster: Cluster, index: number, args: string[]) {
  const instance = cluster.instances[index];
  if (!instance) throw new Error(`no instance ${index}`);
  const lines: string[] = [];
  const attempt = await runThroughServer(
    controlSocketPath(instance.dataDir),
    { command: "user", args },
    { out: (line) => lines.push(line), err: (line) => lines.push(line) },
  );
  if (!attempt.reached || attempt.exit !== 0) {
    throw new Error(`user ${args.join(" ")} on instance ${index}: ${lines.join(" / ")}`);
  }
}

/**
 * Waits until `refused()` is true, polling every 25 ms, and returns the
 * milliseconds it took, or undefined when `withinMs` passed first.
 */
export async function msUntil(
  refused: () => Promise<boolean>,
  withinMs: number,
): Promise<number | undefined> {
  const started = performance.now();
  for (;;) {
    if (await refused()) return performance.now() - started;
    if (performance.now() - started > withinMs) return undefined;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Rate-limit windows are fixed and aligned to the clock: a burst that
 * straddles a boundary would be counted in two windows. Waits out the last
 * seconds of a window of `windowMs` before a burst starts.
 */
export async function clearOfWindowEdge(windowMs: number, marginMs = 15_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 250));
}

/** How many times each value occurs. */
export function tally<T extends string | number>(values: T[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
