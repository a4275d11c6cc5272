import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signatureOf } from "../../src/alerts/channels/webhook.js";
import type { Clock } from "../../src/lib/clock.js";
import { timingSafeEqual } from "../../src/lib/crypto.js";
import type { Sample } from "../../src/monitoring/sample.js";

/**
 * Samples as the sampler stores them, kept in an array the test appends to:
 * real Sample values and the sampler's `within`/`latest` reading of them, so
 * the rules measure exactly what they will measure in production.
 */
export function sampleLog(clock: Clock) {
  const samples: Sample[] = [];
  return {
    samples,
    /** Appends a sample taken now: zero counts and calm levels unless given. */
    push(figures: Partial<Sample> = {}): Sample {
      const sample: Sample = {
        at: clock.now(),
        intervalMs: 10_000,
        requests: 0,
        errors: 0,
        p50Ms: undefined,
        p95Ms: undefined,
        sessionsActive: 0,
        signInsOk: 0,
        signInsFailed: 0,
        rssMb: 100,
        heapUsedMb: 50,
        cpuPercent: 5,
        eventLoopP99Ms: 10,
        outboxPending: 0,
        outboxDead: 0,
        cspViolations: 0,
        rateLimited: 0,
        errorsLogged: 0,
        ...figures,
      };
      samples.push(sample);
      return sample;
    },
    latest: () => samples.at(-1),
    within: (ms: number) => {
      const from = clock.now().getTime() - ms;
      return samples.filter((s) => s.at.getTime() > from);
    },
  };
}

export interface ReceivedWebhook {
  body: Record<string, unknown>;
  raw: string;
  headers: IncomingMessage["headers"];
  /** Whether X-Bastion-Signature matched HMAC-SHA256(secret, raw body). */
  signatureOk: boolean;
}

/**
 * A real HTTP receiver on 127.0.0.1 that verifies the signature as the docs
 * tell receivers to. `respond` picks each request's fate: a status, or
 * "hang" (never answers: the sender's timeout must end it).
 */
export async function startWebhookReceiver(options: {
  secret: string;
  respond?: (attempt: number) => number | "hang";
}): Promise<{
  url: string;
  port: number;
  received: ReceivedWebhook[];
  attempts: () => number;
  close(): Promise<void>;
}> {
  const received: ReceivedWebhook[] = [];
  let attempts = 0;
  const hanging = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      attempts++;
      const raw = Buffer.concat(chunks).toString("utf8");
      const given = String(req.headers["x-bastion-signature"] ?? "");
      received.push({
        raw,
        body: JSON.parse(raw),
        headers: req.headers,
        signatureOk: timingSafeEqual(given, signatureOf(options.secret, raw)),
      });
      const fate = options.respond?.(attempts) ?? 200;
      if (fate === "hang") {
        hanging.add(() => res.destroy());
        return;
      }
      res.writeHead(fate, { "Content-Type": "text/plain" }).end(fate < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/alerts`,
    port,
    received,
    attempts: () => attempts,
    close: async () => {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
