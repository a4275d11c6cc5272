import { describe, expect, it } from "vitest";
import type { Session } from "../../sessions/types.js";
import type { User } from "../../users/user.js";
import type { UserDetail } from "./detail-data.js";
import { UserDetailPage } from "./detail-view.js";

const at = new Date("2026-01-15T12:00:00Z");
const jane: User = {
  id: "019bc186-de00-74c1-a06a-a063359800a5",
  email: "jane@example.com",
  firstName: "Jane",
  lastName: "Doe",
  role: "user",
  status: "active",
  emailVerifiedAt: at,
  passwordHash: "$argon2id$...",
  createdAt: at,
  updatedAt: at,
  lastLoginAt: at,
};
const session: Session = {
  id: "a".repeat(64),
  userId: jane.id,
  createdAt: at,
  lastSeenAt: at,
  expiresAt: at,
  ip: "203.0.113.5",
  userAgent: null,
  sudoUntil: null,
  csrfSecret: "s",
};
const detail: UserDetail = {
  user: jane,
  lockout: { failedCount: 0, lastFailedAt: null, lockedUntil: null },
  twoFactor: { enabled: false, enabledAt: null, backupCodesLeft: 0 },
  providers: [],
  sessions: [session],
  passkeys: [],
  events: [],
  actors: new Map(),
};

const render = (canManage: boolean) =>
  String(
    <UserDetailPage
      detail={detail}
      adminId="019bc186-de00-74c1-a06a-a0633598ffff"
      currentSessionId={"b".repeat(64)}
      canManage={canManage}
    />,
  );

describe("a user's page, by what the viewer may do", () => {
  it("a viewer who may manage users gets the actions and a Sign out per session", () => {
    const html = render(true);
    expect(html).toContain('id="user-actions"');
    expect(html).toContain(`/sessions/${session.id}/revoke/confirm`);
  });

  it("a viewer who may only look (users.view) sees the facts and no button at all", () => {
    const html = render(false);
    expect(html).toContain("jane@example.com");
    expect(html).toContain("203.0.113.5");
    expect(html).not.toContain('id="user-actions"');
    expect(html).not.toContain("/confirm");
  });
});
