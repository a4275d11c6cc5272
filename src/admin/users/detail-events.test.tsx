import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../../audit/audit.js";
import { eventLabel } from "../../audit/catalog.js";
import { UserEvents } from "./detail-events.js";

const JANE = "019bc186-de00-74c1-a06a-a063359800a5";
const ROOT = "019bc186-de00-74c1-a06a-a063359800a6";

function event(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    id: "e1",
    type: "login_succeeded",
    outcome: "success",
    actorId: JANE,
    targetId: JANE,
    ip: "203.0.113.5",
    userAgent: null,
    requestId: null,
    details: {},
    createdAt: new Date("2026-01-15T12:00:00Z"),
    ...overrides,
  };
}

const render = (events: AuditEvent[]) =>
  String(
    <UserEvents
      events={events}
      userId={JANE}
      actors={new Map([[ROOT, { name: "Root Admin", email: "root@example.com" }]])}
    />,
  );

describe("a user's history on the admin page", () => {
  it("names known event types in words, and any later type from its name", () => {
    expect(eventLabel("role_changed")).toBe("Role changed");
    expect(eventLabel("account_deactivated")).toBe("Account deactivated");
    expect(eventLabel("login_failed")).toBe("Sign-in failed");
    expect(eventLabel("some_new_thing")).toBe("Some new thing");
  });

  it("says who acted: this user, another admin (linked), the CLI, a deleted account, or no one", () => {
    const html = render([
      event({ id: "1", actorId: JANE }),
      event({
        id: "2",
        type: "role_changed",
        actorId: ROOT,
        details: { from: "user", to: "admin" },
      }),
      event({ id: "3", type: "account_unlocked", actorId: null, details: { via: "cli" } }),
      event({ id: "4", type: "session_revoked", actorId: "deleted:0000" }),
      event({ id: "5", type: "login_failed", outcome: "failure", actorId: null }),
    ]);
    expect(html).toContain("by this user");
    expect(html).toContain(`by <a href="/admin/users/${ROOT}">Root Admin</a>`);
    expect(html).toContain("by the CLI");
    expect(html).toContain("by a deleted account");
    // A failed sign-in has no actor: no "by" at all rather than a made-up one.
    const failed = html.slice(html.lastIndexOf("Sign-in failed"));
    expect(failed).not.toContain(" by ");
    expect(html).toContain("<dt>from</dt><dd>user</dd>");
  });

  it("threat: stored XSS. Details and agents from the log are text, clipped, never markup", () => {
    const html = render([
      event({
        userAgent: "<img src=x onerror=alert(1)>",
        details: { reason: "<script>alert(1)</script>", sessionsRevoked: 3, long: "x".repeat(500) },
      }),
    ]);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("<dt>sessions revoked</dt><dd>3</dd>");
    expect(html).not.toContain("x".repeat(81));
  });

  it("links to every event of this account in the audit explorer", () => {
    const html = render([event({ id: "1" })]);
    expect(html).toContain(
      `<a href="/admin/audit/events?user=${JANE}" id="user-events-all">See all events of this account</a>`,
    );
  });

  it("an empty history says so", () => {
    expect(render([])).toContain("Nothing recorded for this account yet.");
  });
});
