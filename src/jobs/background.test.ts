import { Hono } from "hono";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { captureLogger } from "../../test/logs.js";
import { createBackgroundTasks } from "./background.js";

function setup() {
  const { logger, lines } = captureLogger();
  const registry = new Registry();
  const background = createBackgroundTasks({ logger, registry });
  return { background, lines, registry };
}

describe("background tasks", () => {
  it("threat: timing. A task scheduled by a handler starts only after its response exists", async () => {
    const { background } = setup();
    const events: string[] = [];
    const app = new Hono();
    app.use(background.middleware);
    app.get("/", async (c) => {
      background.afterResponse(c)("probe", async () => {
        events.push("task");
      });
      // Awaiting I/O inside the handler must not let the task start early.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push("handler done");
      return c.text("ok");
    });
    const res = await app.request("/");
    events.push("response");
    expect(await res.text()).toBe("ok");
    expect(background.pending()).toBe(1);
    await background.drain();
    expect(events).toEqual(["handler done", "response", "task"]);
    expect(background.pending()).toBe(0);
  });

  it("outside a request, runs on the next turn of the event loop", async () => {
    const { background } = setup();
    let ran = false;
    background.run("later", async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(await background.drain()).toBe(true);
    expect(ran).toBe(true);
  });

  it("drain waits for tasks that schedule more tasks", async () => {
    const { background } = setup();
    const order: number[] = [];
    background.run("first", async () => {
      order.push(1);
      background.run("second", async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(2);
      });
    });
    await background.drain();
    expect(order).toEqual([1, 2]);
  });

  it("a failing task is logged and counted, never thrown at anyone, and the rest still run", async () => {
    const { background, lines, registry } = setup();
    let after = false;
    background.run("password_reset_link", async () => {
      throw new Error("database is closed");
    });
    background.run("next", async () => {
      after = true;
    });
    expect(await background.drain()).toBe(true);
    expect(after).toBe(true);
    const failure = lines.find((l) => l.msg === "background task failed");
    expect(failure).toMatchObject({ task: "password_reset_link", level: 50 });
    const metrics = await registry.metrics();
    expect(metrics).toContain('background_task_failures_total{task="password_reset_link"} 1');
    expect(metrics).toContain("background_tasks_pending 0");
  });

  it("drain gives up after its timeout when a task hangs, and says so", async () => {
    const { background } = setup();
    let release: () => void = () => {};
    // Outside a request the task starts on a later turn: on a busy machine that can be after
    // drain(20) gave up, so wait for it to hold `release` before using it.
    const started = new Promise<void>((hasStarted) =>
      background.run("hangs", () => {
        hasStarted();
        return new Promise<void>((resolve) => (release = resolve));
      }),
    );
    expect(await background.drain(20)).toBe(false);
    expect(background.pending()).toBe(1);
    await started;
    release();
    expect(await background.drain()).toBe(true);
  });

  it("a task scheduled after its request finished starts at once instead of waiting forever", async () => {
    const { background } = setup();
    let late: Promise<void> | undefined;
    const app = new Hono();
    app.use(background.middleware);
    app.get("/", (c) => {
      // Left running past the response, still holding the request's scheduler.
      const later = background.afterResponse(c);
      late = new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
        later("late", async () => {}),
      );
      return c.text("ok");
    });
    await app.request("/");
    await late;
    expect(await background.drain(1000)).toBe(true);
  });

  it("refuses to hold a task for a request the middleware never saw", async () => {
    const { background } = setup();
    const app = new Hono();
    app.get("/", (c) => {
      background.afterResponse(c)("orphan", async () => {});
      return c.text("ok");
    });
    expect((await app.request("/")).status).toBe(500);
    expect(background.pending()).toBe(0);
  });
});
