import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogger } from "../../test/logs.js";
import { chooseLogOutput, createLogger, isoTimeOncePerMs, type LoggerOptions } from "./logger.js";

function capture(extra: Partial<LoggerOptions> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return {
    lines,
    logger: createLogger({ level: "info", pretty: false, destination, ...extra }),
  };
}

describe("the log's clock", () => {
  it("stamps each line with the time createLogger was given", () => {
    const { lines, logger } = capture({ nowMs: () => Date.parse("2026-01-15T12:00:00.250Z") });
    logger.info("hello");
    expect(lines[0]?.time).toBe("2026-01-15T12:00:00.250Z");
  });
});

describe("logger", () => {
  it("never writes cookies, authorization headers, passwords or tokens", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { cookie: "sid=abc", authorization: "Bearer xyz", "user-agent": "ua" } },
        form: { email: "a@example.com", password: "hunter2hunter2", token: "t0k3n" },
        password: "top",
        nested: { deeper: { secret: "s" } },
      },
      "login attempt",
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ["sid=abc", "Bearer xyz", "hunter2hunter2", "t0k3n", '"top"', '"s"']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("a@example.com");
    expect(text).toContain("[redacted]");
  });

  it("writes JSON lines with level, time and message", () => {
    const { lines, logger } = capture();
    logger.warn({ requestId: "r1" }, "hello");
    expect(lines[0]).toMatchObject({ level: 40, msg: "hello", requestId: "r1" });
    expect(typeof lines[0]?.time).toBe("string");
  });

  it("is pretty only for a terminal unless LOG_FORMAT says otherwise; colour only for a terminal", () => {
    expect(chooseLogOutput("auto", true)).toEqual({ pretty: true, colorize: true });
    expect(chooseLogOutput("auto", false)).toEqual({ pretty: false, colorize: false });
    expect(chooseLogOutput("json", true)).toEqual({ pretty: false, colorize: false });
    expect(chooseLogOutput("pretty", false)).toEqual({ pretty: true, colorize: false });
  });
});

describe("pretty logger (a terminal)", () => {
  function capturePretty() {
    const text: string[] = [];
    const destination = { write: (chunk: string) => void text.push(chunk) };
    const logger = createLogger({ level: "info", pretty: true, destination });
    return { output: () => text.join(""), logger };
  }

  it("writes each request as one short line: method, route, status, duration", () => {
    const { output, logger } = capturePretty();
    const access = { method: "GET", route: "/auth/login", durationMs: 3.42, requestId: "r-123456" };
    logger.info({ ...access, status: 200 }, "request");
    logger.info(
      { ...access, method: "POST", status: 303, durationMs: 27.6, userId: "u1" },
      "request",
    );
    const lines = output().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/INFO.*: GET \/auth\/login 200 3\.4ms$/);
    // Whatever the message does not carry stays on the same line.
    expect(lines[1]).toMatch(/: POST \/auth\/login 303 28ms \{"userId":"u1"\}$/);
    expect(output()).not.toContain("r-123456");
    expect(output()).not.toContain("\u001b["); // no colour unless asked (a terminal)
  });

  it("keeps other entries on one line with their fields, and still redacts secrets", () => {
    const { output, logger } = capturePretty();
    logger.warn(
      { fingerprint: "select ?", durationMs: 612, password: "hunter2hunter2" },
      "slow query",
    );
    const lines = output().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("slow query");
    expect(lines[0]).toContain('"durationMs":612');
    expect(output()).not.toContain("hunter2hunter2");
  });
});

describe("log tally", () => {
  it("counts error and fatal lines, from children too, and nothing below error", () => {
    const { logger, tally } = captureLogger("info");
    logger.info("fine");
    logger.warn("careful");
    logger.error({ err: new Error("boom") }, "request failed");
    logger.child({ job: "outbox" }).error("send failed");
    logger.fatal("database refuses writes");
    expect(tally.errors).toBe(2);
    expect(tally.fatals).toBe(1);
  });

  it("a level turned off is not counted (silent logs nothing, so nothing is tallied)", () => {
    const { logger, tally } = captureLogger("silent");
    logger.error("hidden");
    expect(tally.errors).toBe(0);
  });
});

describe("isoTimeOncePerMs", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes exactly what pino's isoTime writes, and follows the clock from one millisecond to the next", () => {
    vi.useFakeTimers();
    let at = 0;
    const stamp = isoTimeOncePerMs(() => at);
    for (const ms of [
      0, 1_764_000_000_000, 1_764_000_000_001, 1_764_000_000_001, 4_102_444_799_999,
    ]) {
      at = ms;
      // pino's own reads the system clock: set it to the same instant.
      vi.setSystemTime(ms);
      expect(stamp()).toBe(pino.stdTimeFunctions.isoTime());
    }
    at = 1_764_000_000_500;
    expect(stamp()).toBe(',"time":"2025-11-24T16:00:00.500Z"');
  });
});
