/**
 * Open-loop probe: requests sent on a fixed schedule whatever the answers
 * (a slow answer does not delay the next send, as a closed loop would, which
 * would hide the very queueing it should see). Each latency is timed with
 * performance.now() from send to last byte.
 */
import { keepAliveAgent, request } from "./http.js";
import type { Check } from "./load.js";

export interface ProbeResult {
  latencies: number[];
  problems: string[];
}

export async function probe(options: {
  url: string;
  path: string;
  headers?: Record<string, string>;
  perSecond: number;
  seconds: number;
  check: Check;
}): Promise<ProbeResult> {
  // Unbounded sockets: an answer still pending never holds back the next send.
  const agent = keepAliveAgent(Number.POSITIVE_INFINITY);
  const interval = 1000 / options.perSecond;
  const count = Math.round(options.perSecond * options.seconds);
  const start = performance.now();
  const latencies: number[] = [];
  const problems: string[] = [];
  const sent: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(
      request(options.url, { path: options.path, headers: options.headers }, agent).then(
        (answer) => {
          latencies.push(answer.ms);
          const problem = options.check(answer.status, answer.body, {});
          if (problem) problems.push(problem);
        },
        (error: Error) => {
          problems.push(`socket: ${error.message}`);
        },
      ),
    );
  }
  await Promise.all(sent);
  agent.destroy();
  return { latencies, problems };
}
