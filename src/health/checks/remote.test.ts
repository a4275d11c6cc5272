import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { freePort } from "../../../test/net.js";
import { type SmtpSink, startSmtpSink } from "../../../test/smtp-sink.js";
import type { Config } from "../../config/env.js";
import { redisCheck } from "./redis.js";
import { smtpCheck } from "./smtp.js";

/** The checks of outside services, against real servers and dead ports. */
const redisUrl = inject("redisUrl");
const signal = new AbortController().signal;
const clients: Redis[] = [];
let sink: SmtpSink | undefined;

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await sink?.stop();
  sink = undefined;
});

function redisClient(url: string): Redis {
  // As main.ts opens it; the "error" listener keeps reconnect failures from crashing the test.
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  client.on("error", () => {});
  clients.push(client);
  return client;
}

describe("redis check", () => {
  it.skipIf(!redisUrl)("answers ok when Redis answers PONG", async () => {
    const check = redisCheck({
      redis: redisClient(redisUrl ?? ""),
      timeoutMs: 2000,
      intervalMs: 15_000,
    });
    expect(check.critical).toBe(false);
    expect(await check.run(signal)).toEqual({ status: "ok", message: "PONG" });
  });

  it("fails on a dead port without naming the host", async () => {
    const port = await freePort();
    const check = redisCheck({
      redis: redisClient(`redis://127.0.0.1:${port}`),
      timeoutMs: 2000,
      intervalMs: 15_000,
    });
    const result = await check.run(signal);
    expect(result).toEqual({ status: "fail", message: "unreachable" });
  });
});

function mailSettings(port: number, auth?: { user: string; pass: string }): Config["mail"] {
  return {
    smtpHost: "127.0.0.1",
    smtpPort: port,
    smtpUser: auth?.user,
    smtpPassword: auth?.pass,
    smtpSecure: false,
    from: "Bastion <no-reply@bastion.test>",
    maxAttempts: 3,
    pollIntervalMs: 1000,
  };
}

describe("smtp check", () => {
  it("answers ok when the server greets and accepts the session, sending no mail", async () => {
    sink = await startSmtpSink();
    const check = smtpCheck({
      mail: mailSettings(sink.port),
      timeoutMs: 2000,
      intervalMs: 600_000,
    });
    expect(await check.run(signal)).toEqual({
      status: "ok",
      message: "server greeted and accepted the session",
    });
    expect(sink.messages).toHaveLength(0);
  });

  it("logs in with SMTP_USER, and fails on wrong credentials without echoing them", async () => {
    sink = await startSmtpSink({ auth: { user: "bastion", pass: "right-password" } });
    const good = smtpCheck({
      mail: mailSettings(sink.port, { user: "bastion", pass: "right-password" }),
      timeoutMs: 2000,
      intervalMs: 600_000,
    });
    expect((await good.run(signal)).status).toBe("ok");
    const bad = smtpCheck({
      mail: mailSettings(sink.port, { user: "bastion", pass: "wrong-password" }),
      timeoutMs: 2000,
      intervalMs: 600_000,
    });
    const result = await bad.run(signal);
    expect(result).toEqual({ status: "fail", message: "unreachable (EAUTH)" });
  });

  it("fails on a dead port", async () => {
    const port = await freePort();
    const check = smtpCheck({ mail: mailSettings(port), timeoutMs: 2000, intervalMs: 600_000 });
    const result = await check.run(signal);
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/^unreachable \([A-Z]+\)$/);
    expect(result.message).not.toContain("127.0.0.1");
  });
});
