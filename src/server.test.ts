import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { startServer } from "./server.js";

/** A route that signals when a request reaches it and answers only when released. */
function heldRoute() {
  const app = new Hono();
  let release: () => void = () => {};
  const entered = new Promise<void>((markEntered) => {
    app.get("/held", async (c) => {
      markEntered();
      await new Promise<void>((r) => {
        release = r;
      });
      return c.text("finished");
    });
  });
  return { app, entered, release: () => release() };
}

describe("graceful shutdown", () => {
  it("lets an in-flight request finish, then refuses new connections", async () => {
    const held = heldRoute();
    const server = await startServer({ app: held.app, host: "127.0.0.1", port: 0 });
    const inFlight = fetch(`${server.url}/held`);
    await held.entered;
    // A timeout no stall of a busy machine reaches: this test is about waiting, not cutting.
    let closed = false;
    const closing = server.close(600_000).then((result) => {
      closed = true;
      return result;
    });
    // However long this pause really lasts, close() must still be waiting for the request.
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    held.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("finished");
    expect(await closing).toEqual({ forced: false });
    await expect(fetch(`${server.url}/held`)).rejects.toThrow();
  });

  it("cuts connections that outlive the timeout", async () => {
    const held = heldRoute();
    const server = await startServer({ app: held.app, host: "127.0.0.1", port: 0 });
    const hanging = fetch(`${server.url}/held`).catch((e: unknown) => e);
    // Wait until the request is being handled, not a guessed number of milliseconds.
    await held.entered;
    expect(await server.close(200)).toEqual({ forced: true });
    expect(await hanging).toBeInstanceOf(Error);
  });
});
