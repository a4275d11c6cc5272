import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";
import { singleUseLinkEmail } from "./single-use-link.js";

/** Sent after registration; the link opens a confirm page whose button POSTs (scanners prefetch GETs). */
export function verificationEmail(
  props: EmailBase & { token: string; validHours?: number },
): RenderedEmail {
  return singleUseLinkEmail(props, {
    template: "verification",
    subject: `Confirm your email address for ${props.appName}`,
    intro: `Thanks for signing up for ${props.appName}. Confirm that this is your email address to finish setting up your account.`,
    action: "Confirm my email address",
    path: "/auth/verify",
    validFor: `${props.validHours ?? 24} hours`,
    note: "If you did not sign up, you can ignore this email: the account stays inactive without this link.",
  });
}

/** Forgot-password. Says how long the link lasts, in minutes (PASSWORD_RESET_TTL_MINUTES). */
export function passwordResetEmail(
  props: EmailBase & { token: string; validMinutes: number },
): RenderedEmail {
  return singleUseLinkEmail(props, {
    template: "password_reset",
    subject: `Reset your ${props.appName} password`,
    intro: `We received a request to reset the password of your ${props.appName} account.`,
    action: "Choose a new password",
    path: "/auth/reset-password",
    validFor: `${props.validMinutes} minutes`,
    validForAddendum: "Asking again replaces it.",
    note: "If you did not ask for this, ignore this email: your password stays as it is.",
  });
}

/** "Your password was changed", after a reset or a change on /account/password. */
export function passwordChangedEmail(props: EmailBase & { changedAt?: Date }): RenderedEmail {
  const when = props.changedAt ? ` on ${formatUtc(props.changedAt)}` : "";
  return composeEmail({
    ...props,
    template: "password_changed",
    subject: `Your ${props.appName} password was changed`,
    blocks: [
      `The password of your ${props.appName} account was changed${when}. Other devices were signed out.`,
      "If you made this change, there is nothing else to do.",
      "If you did not, someone else may have access to your email or account. Reset your password now and review where you are signed in:",
      {
        links: [
          { label: "Reset my password", url: appLink(props.appUrl, "/auth/forgot-password") },
          { label: "Review my sessions", url: appLink(props.appUrl, "/account/sessions") },
        ],
      },
    ],
  });
}

/**
 * Owners of a locked account learn it by mail, with a way back in that does
 * not wait for the lock: a single-use "unlock and sign in" link (the mailbox
 * is the proof, as for a reset; a second factor still applies).
 */
export function lockoutNoticeEmail(
  props: EmailBase & { lockedMinutes: number; token: string; validMinutes: number },
): RenderedEmail {
  return composeEmail({
    ...props,
    template: "lockout_notice",
    subject: `Your ${props.appName} account was locked`,
    blocks: [
      `After several failed sign-in attempts, sign-in to your ${props.appName} account with a password is paused for ${props.lockedMinutes} minutes.`,
      `If that was you, this link unlocks the account and signs you in. It works once, for ${props.validMinutes} minutes:`,
      {
        action: "Unlock and sign in",
        url: appLink(props.appUrl, "/auth/unlock", { token: props.token }),
      },
      "If it was not you, someone may be trying to guess your password. Reset it, and turn on two-factor authentication.",
      {
        links: [
          { label: "Reset my password", url: appLink(props.appUrl, "/auth/forgot-password") },
        ],
      },
    ],
  });
}

/**
 * Registration with an address that already has an account: the form answers
 * as usual (no enumeration) and the real owner gets this instead.
 */
export function registrationAttemptEmail(props: EmailBase): RenderedEmail {
  return composeEmail({
    ...props,
    template: "registration_attempt",
    subject: `Someone tried to sign up for ${props.appName} with your email`,
    blocks: [
      `Someone tried to create a new ${props.appName} account with this email address. You already have an account, so no new one was made.`,
      "If it was you, sign in instead, or reset your password if you forgot it:",
      {
        links: [
          { label: "Sign in", url: appLink(props.appUrl, "/auth/login") },
          { label: "Reset my password", url: appLink(props.appUrl, "/auth/forgot-password") },
        ],
      },
      { note: "If it was not you, you can ignore this email. Your account has not changed." },
    ],
  });
}

/** "2026-01-15 12:00 UTC": unambiguous for every reader, whatever their locale. */
export function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
