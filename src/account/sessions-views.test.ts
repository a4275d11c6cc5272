import { describe, expect, it } from "vitest";
import { relativeTime } from "./sessions-views.js";

describe("relativeTime", () => {
  const now = new Date("2026-01-15T12:00:00Z");
  const ago = (ms: number) => relativeTime(new Date(now.getTime() - ms), now);
  it.each([
    [0, "just now"],
    [59_000, "just now"],
    [60_000, "1 minute ago"],
    [5 * 60_000, "5 minutes ago"],
    [60 * 60_000, "1 hour ago"],
    [23 * 3_600_000, "23 hours ago"],
    [24 * 3_600_000, "1 day ago"],
    [30 * 24 * 3_600_000, "30 days ago"],
  ])("%d ms -> %s", (ms, text) => {
    expect(ago(ms)).toBe(text);
  });
});
