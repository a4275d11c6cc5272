import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openFormOverHttp } from "../forms.js";
import { startTestServer } from "../harness.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;
let t: Server | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Resolves once `found` returns a value, checking as log lines arrive (no fixed sleep). */
async function waitFor<T>(found: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = found();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A browser that gives up mid-request: the headers and part of the body of a
 * same-origin form POST, then the socket is destroyed, leaving the server
 * reading a body that will never come.
 */
async function abandonPost(url: string, headers: Record<string, string>, body: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((done, fail) => {
    socket.once("connect", done);
    socket.once("error", fail);
  });
  const head = Object.entries({
    Host: `${hostname}:${port}`,
    Origin: url,
    "Content-Type": "application/x-www-form-urlencoded",
    "Content-Length": "4096",
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  socket.write(["POST /auth/login HTTP/1.1", ...head, "", body].join("\r\n"));
  // Give the request time to reach the body read; arriving later, it meets a dead body all the same.
  await new Promise((r) => setTimeout(r, 100));
  socket.destroy();
}

const errorsIn = (logs: Array<Record<string, unknown>>) =>
  logs.filter((l) => Number(l.level) >= 50 || l.msg === "unhandled error");

/**
 * Threat: noise that hides real failures. A client closing the tab
 * mid-upload is not our error; logging it as a 500 at error level (and
 * counting it as one) buries real 5xx and trips alerts.
 */
describe("a client that disconnects mid-request", () => {
  it("is logged as 499 at debug, never as a 500 or an error, and stays out of 5xx metrics", async () => {
    t = await startTestServer({ logLevel: "debug" });
    const server = t;
    const { cookie, token } = await openFormOverHttp(`${server.url}/auth/login`);

    // Control: the same request sent whole is answered normally (wrong password: 401 page).
    const whole = await fetch(`${server.url}/auth/login`, {
      method: "POST",
      headers: {
        Origin: server.url,
        Cookie: cookie,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: `_csrf=${encodeURIComponent(token)}&email=alice%40example.com&password=wrong`,
    });
    expect(whole.status).toBeLessThan(500);
    const before = server.logs.length;

    // The token in the header (htmx): the handler itself reads the body.
    await abandonPost(server.url, { Cookie: cookie, "X-CSRF-Token": token }, "email=alice");
    // The token in the form: the CSRF guard reads the body first.
    await abandonPost(server.url, { Cookie: cookie }, `_csrf=${encodeURIComponent(token)}&em`);

    const lines = await waitFor(() => {
      const found = server.logs.slice(before).filter((l) => l.msg === "request");
      return found.length >= 2 ? found : undefined;
    }, "the access-log lines of both abandoned requests");
    for (const line of lines) {
      expect(line).toMatchObject({ method: "POST", status: 499, level: 20 });
    }
    expect(errorsIn(server.logs)).toEqual([]);
    // An abandoned form is not a forged one: no CSRF rejection is audited for it.
    expect(server.logs.slice(before).some((l) => l.msg === "audit csrf_rejected")).toBe(false);

    const metrics =
      await server.deps.metrics.registry.getSingleMetricAsString("http_requests_total");
    const closed = [...metrics.matchAll(/status="499"\} (\d+)/g)].map((m) => Number(m[1]));
    expect(closed.reduce((a, b) => a + b, 0)).toBe(2);
    expect(metrics).not.toMatch(/status="5\d\d"/);
  });
});
