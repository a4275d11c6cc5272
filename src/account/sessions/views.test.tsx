import { describe, expect, it } from "vitest";
import type { Session } from "../../sessions/types.js";
import { orderSessions, relativeTime, SessionsPage } from "./views.js";

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

const now = new Date("2026-01-15T12:00:00Z");
function session(id: string, minutesAgo: number, userAgent: string): Session {
  const at = new Date(now.getTime() - minutesAgo * 60_000);
  return {
    id: id.repeat(64).slice(0, 64),
    userId: "u1",
    createdAt: at,
    lastSeenAt: at,
    expiresAt: new Date(now.getTime() + 3_600_000),
    ip: "203.0.113.5",
    userAgent,
    sudoUntil: null,
    csrfSecret: "s",
  };
}
const FIREFOX =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0";

describe("the sessions page", () => {
  // The repository lists newest sign-in first; this device may be anywhere in it.
  const listed = [session("a", 300, IPHONE), session("b", 5, WINDOWS), session("c", 60, FIREFOX)];
  const current = listed[2]?.id ?? "";

  it("lists this device first, then the others by last activity", () => {
    expect(orderSessions(listed, current).map((s) => s.id[0])).toEqual(["c", "b", "a"]);
    // Nothing to reorder when the current one is missing (never happens: the route adds it).
    expect(orderSessions(listed, "z").map((s) => s.id[0])).toEqual(["b", "c", "a"]);
  });

  it("renders one card per device, this one first, each with its own sign-out form", () => {
    const html = String(<SessionsPage sessions={listed} currentSessionId={current} now={now} />);
    const cards = [...html.matchAll(/<li class="(session[^"]*)">([\s\S]*?)<\/li>/g)];
    expect(cards.map((m) => m[1])).toEqual(["session session--current", "session", "session"]);
    expect(cards[0]?.[2]).toContain("Firefox 128 on macOS");
    expect(cards[0]?.[2]).toContain("This device");
    expect(cards[0]?.[2]).toContain('action="/auth/logout"');
    expect(cards[1]?.[2]).toContain("Firefox 127 on Windows");
    expect(cards[1]?.[2]).toContain(`action="/account/sessions/${listed[1]?.id}/revoke"`);
    // No table whose hidden header could widen a phone's page.
    expect(html).not.toContain("<table");
    expect(html).toContain("Sign out all other devices (2)");
  });
});
