import { formatUtc } from "./account-access.js";
import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";

/**
 * Notices of what an operator did to an account (the admin console or the
 * CLI, src/admin/users). The owner hears of every change that alters how
 * they sign in or what they may do, so an operator's mistake, or an
 * attacker holding an admin account, cannot change an account quietly.
 *
 * None of them names the administrator: the owner needs to know what
 * changed and what to do, and an admin's address is not theirs to hand out.
 */
type AdminNotice = EmailBase & { at?: Date };

const when = (at: Date | undefined) => (at ? ` on ${formatUtc(at)}` : "");

const ifUnexpected = (appName: string) => ({
  note: `If you did not expect this, contact the people who run ${appName}.`,
});

/** Role names are the app's own words ("admin", "user"), never user input. */
export function roleChangedEmail(props: AdminNotice & { from: string; to: string }): RenderedEmail {
  return composeEmail({
    ...props,
    template: "role_changed",
    subject: `Your role on ${props.appName} was changed`,
    blocks: [
      `An administrator changed the role of your ${props.appName} account from "${props.from}" to "${props.to}"${when(props.at)}.`,
      "For your security you were signed out on every device. Sign in again to continue:",
      { action: "Sign in", url: appLink(props.appUrl, "/auth/login") },
      ifUnexpected(props.appName),
    ],
  });
}

export function accountDeactivatedEmail(props: AdminNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "account_deactivated",
    subject: `Your ${props.appName} account was deactivated`,
    blocks: [
      `An administrator deactivated your ${props.appName} account${when(props.at)}. You were signed out on every device, and you cannot sign in until it is reactivated.`,
      "Your data has not been deleted.",
      ifUnexpected(props.appName),
    ],
  });
}

export function accountReactivatedEmail(props: AdminNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "account_reactivated",
    subject: `Your ${props.appName} account was reactivated`,
    blocks: [
      `An administrator reactivated your ${props.appName} account${when(props.at)}. You can sign in again:`,
      { action: "Sign in", url: appLink(props.appUrl, "/auth/login") },
      ifUnexpected(props.appName),
    ],
  });
}

export function twoFactorResetEmail(props: AdminNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "two_factor_reset",
    subject: `Two-factor authentication was turned off for your ${props.appName} account`,
    blocks: [
      `Two-factor authentication was turned off by an administrator for your ${props.appName} account${when(props.at)}. Your authenticator app and your backup codes no longer work for it, and you were signed out on every device.`,
      "Signing in now needs only your password. Turn two-factor authentication on again after you sign in:",
      { action: "Turn it on again", url: appLink(props.appUrl, "/account/security") },
      "If you did not ask for this, someone may be trying to take over your account. Reset your password now:",
      {
        links: [
          { label: "Reset my password", url: appLink(props.appUrl, "/auth/forgot-password") },
        ],
      },
    ],
  });
}

/**
 * The last mail to an address the app no longer knows: it goes out after
 * the account is gone, and its outbox row is forgotten once sent (see
 * OutboxMessage.forgetAfterSend). `by` says who deleted it.
 */
export function accountDeletedEmail(props: AdminNotice & { by: "admin" | "self" }): RenderedEmail {
  const who =
    props.by === "self"
      ? `Your ${props.appName} account was deleted at your request${when(props.at)}.`
      : `An administrator deleted your ${props.appName} account${when(props.at)}.`;
  return composeEmail({
    ...props,
    template: "account_deleted",
    subject: `Your ${props.appName} account was deleted`,
    blocks: [
      who,
      "Your profile, sessions, two-factor settings, linked sign-in providers and pending emails were removed. The security log keeps a record that the account existed, without your email address.",
      "This is the last email you will get from us about this account. You can sign up again at any time with this address.",
      props.by === "self"
        ? { note: `If you did not do this, contact the people who run ${props.appName} at once.` }
        : ifUnexpected(props.appName),
    ],
  });
}
