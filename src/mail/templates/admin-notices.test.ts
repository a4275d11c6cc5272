import { describe, expect, it } from "vitest";
import {
  accountDeactivatedEmail,
  accountDeletedEmail,
  accountReactivatedEmail,
  roleChangedEmail,
  twoFactorResetEmail,
} from "./admin-notices.js";
import type { RenderedEmail } from "./layout.js";

// The shared checks (greeting, links from APP_URL, layout, hostile names) run in
// ../templates.test.ts for every catalog entry; these say what each notice tells.
const base = { appName: "Acme", appUrl: "https://acme.example/app", name: "Ada" };
const at = new Date("2026-01-15T12:34:56Z");

function both(email: RenderedEmail): string[] {
  return [email.text, email.html];
}

describe("admin notice emails", () => {
  it("role changed: old and new role, when, signed out everywhere, a sign-in link", () => {
    const email = roleChangedEmail({ ...base, from: "user", to: "admin", at });
    expect(email.subject).toBe("Your role on Acme was changed");
    for (const body of both(email)) {
      expect(body).toMatch(/from (&quot;|&#34;|")user(&quot;|&#34;|") to (&quot;|&#34;|")admin/);
      expect(body).toContain("on 2026-01-15 12:34 UTC");
      expect(body).toContain("signed out on every device");
      expect(body).toContain("https://acme.example/app/auth/login");
    }
  });

  it("deactivated: cannot sign in, data kept, no link to act on", () => {
    const email = accountDeactivatedEmail({ ...base, at });
    expect(email.subject).toBe("Your Acme account was deactivated");
    expect(email.text).toContain("cannot sign in until it is reactivated");
    expect(email.text).toContain("Your data has not been deleted.");
    expect(email.html).not.toMatch(/<a /);
  });

  it("reactivated: can sign in again", () => {
    const email = accountReactivatedEmail(base);
    expect(email.subject).toBe("Your Acme account was reactivated");
    expect(email.text).toContain("You can sign in again");
    expect(email.text).not.toContain(" on 20"); // no time when none is given
  });

  it("two-factor reset: turned off by an administrator, turn it on again, reset if unexpected", () => {
    const email = twoFactorResetEmail({ ...base, at });
    expect(email.subject).toBe("Two-factor authentication was turned off for your Acme account");
    for (const body of both(email)) {
      expect(body).toContain("turned off by an administrator");
      expect(body).toContain("Turn it on again");
      expect(body).toContain("https://acme.example/app/account/security");
      expect(body).toContain("https://acme.example/app/auth/forgot-password");
    }
  });

  it("deleted: says who did it, what went, and that it is the last mail; no link into an account that is gone", () => {
    const byAdmin = accountDeletedEmail({ ...base, by: "admin", at });
    const bySelf = accountDeletedEmail({ ...base, by: "self", at });
    expect(byAdmin.subject).toBe("Your Acme account was deleted");
    expect(byAdmin.text).toContain(
      "An administrator deleted your Acme account on 2026-01-15 12:34 UTC.",
    );
    expect(bySelf.text).toContain("deleted at your request on 2026-01-15 12:34 UTC.");
    expect(bySelf.text).not.toContain("administrator deleted");
    for (const email of [byAdmin, bySelf]) {
      expect(email.text).toContain("This is the last email");
      expect(email.text).toContain("without your email address");
      expect(email.html).not.toMatch(/<a /);
    }
  });
});
