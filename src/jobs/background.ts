import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { counterOnce, gaugeOnce } from "../monitoring/metrics.js";

/**
 * Work a request decides on but must not wait for: it starts only once the
 * response exists, so its cost never shows in that response's timing.
 *
 * Why: some forms must answer an account's owner and a stranger alike
 * (forgot password, verification resend). Their real work (a reset token
 * and its mail, one committed transaction) exists for known accounts only,
 * and a committed DuckDB transaction on a file costs 5-20 ms more than
 * anything the other branch can do: a rolled-back "rehearsal" skips the WAL
 * write, so it can never cost the same. Moving the commit after the
 * response takes it out of what a timing probe can measure.
 *
 * Guarantees kept: a task is one ordinary async function, so its writes
 * keep their own transaction (token and mail commit together or not at
 * all). A failure is logged and counted, never thrown at anyone.
 *
 * Not kept, on purpose: durability between the response and the commit. A
 * crash in those few milliseconds loses that task (one reset or
 * confirmation mail); the person was told "check your inbox", gets nothing,
 * and asks again, which is what they would do after any lost mail. A durable
 * queue would need a write on the response path for every request, known or
 * not: the very cost being moved. Graceful shutdown loses nothing: main.ts
 * awaits `drain()` after the server stops taking requests.
 */
export interface BackgroundTasks {
  /** Runs `task` on the next turn of the event loop. `name` labels logs and metrics. */
  run(name: string, task: () => Promise<unknown>): void;
  /**
   * A `run` for request `c`: its tasks start only once that request's
   * response exists (held by `middleware`), whatever the handler awaits in
   * between. The request is named, not found through AsyncLocalStorage: on
   * Node 20 that turns on async hooks for every promise of every request,
   * which cost a signed-in page more CPU than the rest of this middleware
   * (measured with the bench, compiled production build).
   */
  afterResponse(c: Context): (name: string, task: () => Promise<unknown>) => void;
  /** Tasks scheduled and not yet settled (held by a request, or running). */
  pending(): number;
  /**
   * Resolves when every task scheduled so far, and any they schedule, has
   * settled; with `timeoutMs`, gives up after that long. True when drained.
   */
  drain(timeoutMs?: number): Promise<boolean>;
  /** Mount first: holds the tasks a request schedules until its response exists. */
  middleware: MiddlewareHandler;
}

interface RequestScope {
  held: Array<() => void>;
  open: boolean;
}

declare module "hono" {
  interface ContextVariableMap {
    /** Tasks scheduled with afterResponse(c), set by the background middleware. */
    backgroundScope: RequestScope | undefined;
  }
}

export function createBackgroundTasks(options: {
  logger: Logger;
  registry: Registry;
}): BackgroundTasks {
  const { logger } = options;
  let count = 0;
  let idle: Array<() => void> = [];
  // One metric per registry, even when two runners share one (the CLI and tests build several).
  const failures = counterOnce(options.registry, {
    name: "background_task_failures_total",
    help: "Background tasks that failed (logged at error level), by task name",
    labelNames: ["task"],
  });
  gaugeOnce(options.registry, {
    name: "background_tasks_pending",
    help: "Background tasks scheduled and not yet settled",
    collect() {
      this.set(count);
    },
  });

  function settled(): void {
    count -= 1;
    if (count > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  }

  function start(name: string, task: () => Promise<unknown>): void {
    // setImmediate: after the microtasks in which the server writes the response.
    setImmediate(() => {
      task()
        .catch((err: unknown) => {
          failures.inc({ task: name });
          logger.error({ err, task: name }, "background task failed");
        })
        .finally(settled);
    });
  }

  return {
    run(name, task) {
      count += 1;
      start(name, task);
    },
    afterResponse(c) {
      return (name, task) => {
        const scope = c.get("backgroundScope");
        // A programming error: held nowhere, the task would run before the response.
        if (scope === undefined) {
          throw new Error("background.afterResponse: the background middleware is not mounted");
        }
        count += 1;
        if (scope.open) scope.held.push(() => start(name, task));
        else start(name, task);
      };
    },
    pending: () => count,
    drain(timeoutMs) {
      if (count === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer =
          timeoutMs === undefined ? undefined : setTimeout(() => resolve(false), timeoutMs);
        idle.push(() => {
          if (timer) clearTimeout(timer);
          resolve(true);
        });
      });
    },
    middleware: async function afterResponse(c, next) {
      const current: RequestScope = { held: [], open: true };
      c.set("backgroundScope", current);
      try {
        await next();
      } finally {
        // A task scheduled later from this request's leftovers starts at once.
        current.open = false;
        for (const begin of current.held) begin();
      }
    },
  };
}
