import { describe, expect, it } from "vitest";
import { decide } from "./evaluate.js";

const T0 = new Date("2026-01-15T12:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const settings = { forSeconds: 60, cooldownSeconds: 600 };
const calm = { pendingSince: undefined, lastNotifiedAt: undefined };

describe("alert decision", () => {
  it("a breach is pending until it has held `for`, then fires and notifies", () => {
    const first = decide({ settings, condition: true, memory: calm, firing: undefined, now: T0 });
    expect(first).toEqual({ pendingSince: T0, fire: false, resolve: false, notice: undefined });
    const early = decide({
      settings,
      condition: true,
      memory: { ...calm, pendingSince: T0 },
      firing: undefined,
      now: at(59),
    });
    expect(early.fire).toBe(false);
    const due = decide({
      settings,
      condition: true,
      memory: { ...calm, pendingSince: T0 },
      firing: undefined,
      now: at(60),
    });
    expect(due).toEqual({ pendingSince: undefined, fire: true, resolve: false, notice: "fired" });
  });

  it("for = 0 fires on the first breaching evaluation", () => {
    const d = decide({
      settings: { forSeconds: 0, cooldownSeconds: 600 },
      condition: true,
      memory: calm,
      firing: undefined,
      now: T0,
    });
    expect(d.fire).toBe(true);
  });

  it("a clear evaluation in between starts the pending time over", () => {
    const d = decide({
      settings,
      condition: false,
      memory: { ...calm, pendingSince: T0 },
      firing: undefined,
      now: at(30),
    });
    expect(d).toEqual({ pendingSince: undefined, fire: false, resolve: false, notice: undefined });
  });

  it("no data keeps the state: no resolution of a firing alert, no reset of a pending one", () => {
    const firing = { id: "a", notifications: 1 };
    const d = decide({
      settings,
      condition: undefined,
      memory: { pendingSince: undefined, lastNotifiedAt: T0 },
      firing,
      now: at(3600),
    });
    expect(d).toEqual({ pendingSince: undefined, fire: false, resolve: false, notice: undefined });
    const pending = decide({
      settings,
      condition: undefined,
      memory: { ...calm, pendingSince: T0 },
      firing: undefined,
      now: at(3600),
    });
    expect(pending.pendingSince).toEqual(T0);
    expect(pending.fire).toBe(false);
  });

  it("while firing: quiet through the cooldown, a reminder once it has passed", () => {
    const firing = { id: "a", notifications: 1 };
    const memory = { pendingSince: undefined, lastNotifiedAt: T0 };
    for (const s of [10, 300, 599]) {
      expect(decide({ settings, condition: true, memory, firing, now: at(s) }).notice).toBe(
        undefined,
      );
    }
    expect(decide({ settings, condition: true, memory, firing, now: at(600) }).notice).toBe(
      "reminder",
    );
  });

  it("resolves with a notice when the firing was announced, silently when it never was", () => {
    const memory = { pendingSince: undefined, lastNotifiedAt: T0 };
    const announced = decide({
      settings,
      condition: false,
      memory,
      firing: { id: "a", notifications: 1 },
      now: at(5),
    });
    expect(announced).toMatchObject({ resolve: true, notice: "resolved" });
    const unannounced = decide({
      settings,
      condition: false,
      memory,
      firing: { id: "b", notifications: 0 },
      now: at(5),
    });
    expect(unannounced).toMatchObject({ resolve: true, notice: undefined });
  });

  it("threat: a flapping rule is recorded each time but announced at most once per cooldown", () => {
    const memory = { pendingSince: undefined, lastNotifiedAt: T0 };
    const refire = decide({
      settings: { forSeconds: 0, cooldownSeconds: 600 },
      condition: true,
      memory,
      firing: undefined,
      now: at(30),
    });
    expect(refire).toMatchObject({ fire: true, notice: undefined });
    // Still firing once the cooldown ends: its first notice goes out then.
    const later = decide({
      settings,
      condition: true,
      memory,
      firing: { id: "c", notifications: 0 },
      now: at(600),
    });
    expect(later.notice).toBe("fired");
  });
});
