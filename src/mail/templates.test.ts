import { describe, expect, it } from "vitest";
import { alertEmail } from "./templates/alert.js";
import {
  accountDeactivatedEmail,
  accountDeletedEmail,
  accountReactivatedEmail,
  backupCodesRegeneratedEmail,
  backupCodeUsedEmail,
  displayName,
  emailChangeConfirmEmail,
  emailChangeNoticeEmail,
  emailTemplates,
  lockoutNoticeEmail,
  maskEmail,
  newSignInEmail,
  oauthSignInAttemptEmail,
  passkeyAddedEmail,
  passkeyCounterRegressionEmail,
  passkeyRemovedEmail,
  passwordChangedEmail,
  passwordResetEmail,
  type RenderedEmail,
  registrationAttemptEmail,
  roleChangedEmail,
  twoFactorDisabledEmail,
  twoFactorEnabledEmail,
  twoFactorResetEmail,
  verificationEmail,
} from "./templates/index.js";
import { MAIL_BREAK_STYLE, MAIL_COLUMN_STYLE } from "./templates/layout.js";

// A path prefix proves links are built from APP_URL, not from a hard-coded root.
const base = { appName: "Acme", appUrl: "https://acme.example/app", name: "Ada" };
const TOKEN = "tok_-AbC123";
const SIGN_IN = {
  at: new Date("2026-01-15T12:34:56Z"),
  device: "Firefox 128 on macOS",
  ip: "203.0.113.9",
};

/** Every template once, with the link it must contain (or undefined). */
const CASES: Array<[string, RenderedEmail, string | undefined]> = [
  [
    "verification",
    verificationEmail({ ...base, token: TOKEN }),
    `https://acme.example/app/auth/verify?token=${TOKEN}`,
  ],
  [
    "password_reset",
    passwordResetEmail({ ...base, token: TOKEN, validMinutes: 60 }),
    `https://acme.example/app/auth/reset-password?token=${TOKEN}`,
  ],
  ["password_changed", passwordChangedEmail(base), "https://acme.example/app/auth/forgot-password"],
  [
    "email_change_confirm",
    emailChangeConfirmEmail({ ...base, token: TOKEN, validMinutes: 30 }),
    `https://acme.example/app/account/email/confirm?token=${TOKEN}`,
  ],
  [
    "email_change_notice",
    emailChangeNoticeEmail({ ...base, newEmail: "new.address@example.test" }),
    "https://acme.example/app/account/sessions",
  ],
  [
    "lockout_notice",
    lockoutNoticeEmail({ ...base, lockedMinutes: 30, token: TOKEN, validMinutes: 15 }),
    "https://acme.example/app/auth/forgot-password",
  ],
  ["registration_attempt", registrationAttemptEmail(base), "https://acme.example/app/auth/login"],
  [
    "oauth_sign_in_attempt",
    oauthSignInAttemptEmail({ ...base, provider: "GitHub" }),
    "https://acme.example/app/auth/login",
  ],
  [
    "new_sign_in",
    newSignInEmail({ ...base, ...SIGN_IN }),
    "https://acme.example/app/account/sessions",
  ],
  [
    "two_factor_enabled",
    twoFactorEnabledEmail(base),
    "https://acme.example/app/auth/forgot-password",
  ],
  [
    "two_factor_disabled",
    twoFactorDisabledEmail(base),
    "https://acme.example/app/account/security",
  ],
  [
    "two_factor_backup_code_used",
    backupCodeUsedEmail({ ...base, remaining: 3 }),
    "https://acme.example/app/account/security",
  ],
  [
    "two_factor_backup_codes_regenerated",
    backupCodesRegeneratedEmail(base),
    "https://acme.example/app/account/sessions",
  ],
  [
    "passkey_added",
    passkeyAddedEmail({ ...base, passkeyName: "Chrome on Linux" }),
    "https://acme.example/app/account/security",
  ],
  [
    "passkey_removed",
    passkeyRemovedEmail({ ...base, passkeyName: "Chrome on Linux" }),
    "https://acme.example/app/account/security",
  ],
  [
    "passkey_counter_regression",
    passkeyCounterRegressionEmail({ ...base, passkeyName: "YubiKey 5" }),
    "https://acme.example/app/account/security",
  ],
  // admin console and CLI notices (admin-notices.ts; more in templates/admin-notices.test.ts)
  [
    "role_changed",
    roleChangedEmail({ ...base, from: "user", to: "admin" }),
    "https://acme.example/app/auth/login",
  ],
  ["account_deactivated", accountDeactivatedEmail(base), undefined],
  ["account_reactivated", accountReactivatedEmail(base), "https://acme.example/app/auth/login"],
  ["two_factor_reset", twoFactorResetEmail(base), "https://acme.example/app/account/security"],
  ["account_deleted", accountDeletedEmail({ ...base, by: "admin" }), undefined],
];

describe("email templates", () => {
  it("the catalog names every template by the name it stores", () => {
    // The alert mail goes to operators, not an account holder: its own test is templates/alert.test.ts.
    expect(Object.keys(emailTemplates).sort()).toEqual(
      [...CASES.map(([name]) => name), "alert"].sort(),
    );
    expect(emailTemplates.alert).toBe(alertEmail);
    for (const [name, email] of CASES) expect(email.template).toBe(name);
  });

  it.each(CASES)(
    "%s: subject, greeting, links from APP_URL in both text and html",
    (_name, email, link) => {
      expect(email.subject).toContain("Acme");
      expect(email.text).toMatch(/^Hi Ada,\n/);
      expect(email.html).toMatch(/^<!doctype html><html lang="en">/);
      expect(email.html).toContain("<p>Hi Ada,</p>");
      if (link) {
        expect(email.text).toContain(link);
        expect(email.html).toContain(`href="${link}"`);
      }
      // Every link in either version points into the app, never anywhere else.
      for (const url of email.text.match(/https?:\/\/\S+/g) ?? []) {
        expect(url.startsWith("https://acme.example/app")).toBe(true);
      }
      for (const [, href] of email.html.matchAll(/href="([^"]*)"/g)) {
        expect(href?.startsWith("https://acme.example/app/")).toBe(true);
      }
      // No stylesheet and no script in mail; the only inline styles are the two optional
      // declarations of the layout, so nothing depends on a client honouring CSS.
      expect(email.html).not.toMatch(/<style|<script/i);
      for (const [, style] of email.html.matchAll(/style="([^"]*)"/g)) {
        expect([MAIL_COLUMN_STYLE, MAIL_BREAK_STYLE]).toContain(style);
      }
    },
  );

  it.each(CASES)(
    "%s: fluid on a phone (100% up to 608 px), fixed width only for Outlook",
    (_name, email) => {
      expect(MAIL_COLUMN_STYLE).toBe("width:100%;max-width:608px");
      expect(email.html).toContain(
        `width="100%" cellpadding="16" cellspacing="0" style="${MAIL_COLUMN_STYLE}"`,
      );
      // Outside Outlook's conditional comments no table has a width in pixels.
      const visible = email.html.replace(/<!--\[if mso\]>[\s\S]*?<!\[endif\]-->/g, "");
      expect(visible).not.toMatch(/width="\d+"/);
      expect(email.html).toContain('<!--[if mso]><table role="presentation" width="608"');
    },
  );

  it.each(CASES.map(([name]) => name))(
    "threat: %s escapes a hostile name in HTML and keeps it out of the subject",
    (name) => {
      const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"&';
      const email = render(name, hostile);
      expect(email.html).not.toContain("<script>");
      expect(email.html).not.toContain("<img");
      expect(email.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(email.text).toContain("Hi <script>alert(1)</script>");
      expect(email.subject).not.toContain("script");
    },
  );

  it("threat: a name cannot forge extra paragraphs or fill the mail (control characters, length)", () => {
    const email = verificationEmail({
      ...base,
      name: `Ada\r\n\r\nClick https://evil.example now\u0000${"x".repeat(500)}`,
      token: TOKEN,
    });
    const greeting = email.text.split("\n")[0] ?? "";
    expect(greeting.startsWith("Hi Ada Click https://evil.example now")).toBe(true);
    expect(greeting.length).toBeLessThan(80);
    expect(displayName("   ")).toBe("there");
    expect(displayName("  Zoë  Ünal ")).toBe("Zoë Ünal");
  });

  it("tokens are URL-encoded into links", () => {
    const email = passwordResetEmail({ ...base, token: "a+b/c=&d", validMinutes: 15 });
    expect(email.text).toContain("/auth/reset-password?token=a%2Bb%2Fc%3D%26d");
  });

  it("says how long links last: verification in hours, reset and email change in minutes", () => {
    expect(verificationEmail({ ...base, token: TOKEN, validHours: 48 }).text).toContain("48 hours");
    expect(verificationEmail({ ...base, token: TOKEN }).text).toContain("24 hours");
    const reset = passwordResetEmail({ ...base, token: TOKEN, validMinutes: 60 });
    expect(reset.text).toContain("60 minutes");
    expect(reset.html).toContain("60 minutes");
    expect(emailChangeConfirmEmail({ ...base, token: TOKEN, validMinutes: 45 }).text).toContain(
      "45 minutes",
    );
    const lockout = lockoutNoticeEmail({
      ...base,
      lockedMinutes: 30,
      token: TOKEN,
      validMinutes: 15,
    });
    expect(lockout.text).toContain("paused for 30 minutes");
    expect(lockout.text).toContain("once, for 15 minutes");
    expect(lockout.text).toContain(`/auth/unlock?token=${TOKEN}`);
    expect(lockout.text).toMatch(/reset my password/i);
  });

  it("password changed names the time in UTC when given", () => {
    const email = passwordChangedEmail({ ...base, changedAt: new Date("2026-01-15T12:34:56Z") });
    expect(email.text).toContain("on 2026-01-15 12:34 UTC");
  });

  it("new sign-in names the time, the browser and the IP, with links to act on it", () => {
    const email = newSignInEmail({ ...base, ...SIGN_IN });
    expect(email.subject).toBe("New sign-in to your Acme account");
    for (const version of [email.text, email.html]) {
      expect(version).toContain("2026-01-15 12:34 UTC");
      expect(version).toContain("Firefox 128 on macOS");
      expect(version).toContain("203.0.113.9");
      expect(version).toContain("https://acme.example/app/account/password");
      expect(version).toContain("https://acme.example/app/account/sessions");
    }
  });

  it("threat: a crafted User-Agent plants no link, markup or wall of text in the sign-in notice", () => {
    const email = newSignInEmail({
      ...base,
      ...SIGN_IN,
      device: `Evil\r\n\r\nCall +1 555 or visit https://evil.example/x <b>now</b>${"x".repeat(500)}`,
      ip: "<script>",
    });
    const line = email.text.split("\n").find((l) => l.startsWith("When:")) ?? "";
    expect(line).toContain("Browser: Evil Call 1 555 or visit https evil example x b now b");
    expect(line.length).toBeLessThan(160);
    expect(line).toContain("IP address: c.");
    expect(email.text).not.toContain("evil.example");
    expect(email.html).not.toContain("evil.example");
    expect(email.html).not.toMatch(/<b>|<script/);
    expect(newSignInEmail({ ...base, ...SIGN_IN, device: "", ip: null }).text).toContain(
      "Browser: an unknown browser. IP address: unknown.",
    );
  });

  it("the old address sees the new one masked; registration attempt offers sign-in and reset", () => {
    const notice = emailChangeNoticeEmail({ ...base, newEmail: "new.address@example.test" });
    expect(notice.text).toContain("ne•••@example.test");
    expect(notice.text).not.toContain("new.address@");
    expect(maskEmail("a@b.test")).toBe("•••@b.test");
    expect(maskEmail("broken")).toBe("•••");
    const attempt = registrationAttemptEmail(base);
    expect(attempt.text).toContain("https://acme.example/app/auth/login");
    expect(attempt.text).toContain("https://acme.example/app/auth/forgot-password");
  });
});

function render(name: string, userName: string): RenderedEmail {
  const props = { ...base, name: userName };
  switch (name) {
    case "verification":
      return verificationEmail({ ...props, token: TOKEN });
    case "password_reset":
      return passwordResetEmail({ ...props, token: TOKEN, validMinutes: 60 });
    case "password_changed":
      return passwordChangedEmail(props);
    case "email_change_confirm":
      return emailChangeConfirmEmail({ ...props, token: TOKEN, validMinutes: 30 });
    case "email_change_notice":
      return emailChangeNoticeEmail({ ...props, newEmail: "n@example.test" });
    case "two_factor_enabled":
      return twoFactorEnabledEmail(props);
    case "two_factor_disabled":
      return twoFactorDisabledEmail(props);
    case "two_factor_backup_code_used":
      return backupCodeUsedEmail({ ...props, remaining: 0 });
    case "two_factor_backup_codes_regenerated":
      return backupCodesRegeneratedEmail(props);
    case "lockout_notice":
      return lockoutNoticeEmail({ ...props, lockedMinutes: 30, token: TOKEN, validMinutes: 15 });
    case "new_sign_in":
      return newSignInEmail({ ...props, ...SIGN_IN });
    case "role_changed":
      return roleChangedEmail({ ...props, from: "user", to: "admin" });
    case "account_deactivated":
      return accountDeactivatedEmail(props);
    case "account_reactivated":
      return accountReactivatedEmail(props);
    case "two_factor_reset":
      return twoFactorResetEmail(props);
    case "account_deleted":
      return accountDeletedEmail({ ...props, by: "self" });
    default:
      return registrationAttemptEmail(props);
  }
}
