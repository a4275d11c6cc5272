import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", pretty: false, destination }) };
}

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

  it("builds a pretty logger for development without throwing", () => {
    const logger = createLogger({ level: "silent", pretty: true });
    expect(typeof logger.info).toBe("function");
  });
});
