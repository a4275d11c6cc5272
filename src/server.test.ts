import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { startServer } from "./server.js";

describe("graceful shutdown", () => {
  it("lets an in-flight request finish, then refuses new connections", async () => {
    const app = new Hono();
    let release: () => void = () => {};
    const started = new Promise<void>((markStarted) => {
      app.get("/slow", async (c) => {
        markStarted();
        await new Promise<void>((r) => {
          release = r;
        });
        return c.text("finished");
      });
    });
    const server = await startServer({ app, host: "127.0.0.1", port: 0 });
    const inFlight = fetch(`${server.url}/slow`);
    await started;
    const closing = server.close(5000);
    setTimeout(() => release(), 200);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("finished");
    expect(await closing).toEqual({ forced: false });
    await expect(fetch(`${server.url}/slow`)).rejects.toThrow();
  });

  it("cuts connections that outlive the timeout", async () => {
    const app = new Hono();
    app.get("/hang", () => new Promise<Response>(() => {}));
    const server = await startServer({ app, host: "127.0.0.1", port: 0 });
    const hanging = fetch(`${server.url}/hang`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    expect(await server.close(200)).toEqual({ forced: true });
    expect(await hanging).toBeInstanceOf(Error);
  });
});
