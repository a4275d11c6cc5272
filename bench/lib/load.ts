/**
 * Closed-loop load (autocannon) where every answer is checked: a load test
 * that counts 429s or login redirects as throughput measures the wrong
 * thing, so any answer the check rejects makes the scenario refuse.
 */
import autocannon from "autocannon";
import { BenchRefusal } from "./report.js";
import { sum } from "./stats.js";

/** Says what is wrong with an answer, or undefined when it is the expected one. */
export type Check = (
  status: number,
  body: string,
  headers: Record<string, string>,
) => string | undefined;

export interface LoadSpec {
  /** Names the row in a refusal. */
  label: string;
  url: string;
  connections: number;
  /** Seconds; or `amount` requests. */
  duration?: number;
  amount?: number;
  /** One or more requests, sent in turn on each connection. */
  requests: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    /** A fresh body per send (distinct sign-up emails, rotating flood accounts). */
    makeBody?: () => string;
    check: Check;
  }[];
}

export interface LoadResult {
  label: string;
  requests: number;
  seconds: number;
  rps: number;
  /** autocannon's whole milliseconds. */
  p50: number;
  p99: number;
  /** Answers by status code. */
  statuses: Map<number, number>;
  /** Answers the check rejected, with the first problem. */
  rejected: number;
  firstProblem?: string;
  /** Socket errors and timeouts. */
  errors: number;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const statuses = new Map<number, number>();
  let rejected = 0;
  let firstProblem: string | undefined;
  const requests = spec.requests.map((r) => ({
    method: r.method ?? "GET",
    path: r.path,
    headers: r.headers,
    body: r.body,
    ...(r.makeBody
      ? {
          setupRequest: (req: { body?: string }) => ({
            ...req,
            body: (r.makeBody as () => string)(),
          }),
        }
      : {}),
    onResponse: (status: number, body: string, _ctx: unknown, headers: Record<string, string>) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const problem = r.check(status, body, lowerKeys(headers));
      if (problem !== undefined) {
        rejected += 1;
        firstProblem ??= `${r.method ?? "GET"} ${r.path}: ${problem}`;
      }
    },
  }));
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 1 }),
    requests,
    timeout: 30,
  });
  return {
    label: spec.label,
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    rejected,
    firstProblem,
    errors: result.errors + result.timeouts,
  };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** Throws BenchRefusal when any answer was rejected, or no request completed, or sockets failed. */
export function refuseUnless(
  scenario: string,
  result: LoadResult,
  allowErrors = false,
): LoadResult {
  if (result.rejected > 0) {
    throw new BenchRefusal(
      scenario,
      `${result.label}: ${result.rejected} of ${result.requests} answers were wrong (statuses ${statusList(result)}); first: ${result.firstProblem}`,
    );
  }
  if (result.requests === 0) throw new BenchRefusal(scenario, `${result.label}: no answer at all`);
  if (!allowErrors && result.errors > 0) {
    throw new BenchRefusal(scenario, `${result.label}: ${result.errors} socket errors or timeouts`);
  }
  return result;
}

export function statusList(result: Pick<LoadResult, "statuses">): string {
  return [...result.statuses].map(([s, n]) => `${s}: ${n}`).join(", ");
}

/** Body excerpt for a refusal message. */
export const excerpt = (body: string): string => body.replace(/\s+/g, " ").slice(0, 200);

/** 200 with `marker` in the body. */
export function expectPage(marker: string): Check {
  return (status, body) =>
    status === 200 && body.includes(marker)
      ? undefined
      : `status ${status}, expected 200 with ${JSON.stringify(marker)}: ${excerpt(body)}`;
}

/**
 * Runs `measure` for each target in turn, `rounds` times (a b c a b c ...):
 * background load on a shared machine then hits every target alike.
 */
export async function interleave<T, R>(
  targets: readonly T[],
  rounds: number,
  measure: (target: T, round: number) => Promise<R>,
): Promise<R[][]> {
  const results: R[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) results[i]?.push(await measure(target, round));
  }
  return results;
}

/** Total requests over total seconds of several rounds. */
export const meanRps = (rounds: readonly LoadResult[]): number =>
  sum(rounds.map((r) => r.requests)) / sum(rounds.map((r) => r.seconds));
