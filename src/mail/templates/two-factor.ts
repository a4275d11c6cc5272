import { formatUtc } from "./account-access.js";
import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";

/**
 * Two-factor notices. Each one goes to the account's address whenever its
 * second factor changes or is used in the unusual way (a backup code), so
 * an attacker who got in cannot quietly weaken the account: the owner
 * hears of it, with a way to act.
 */
type TwoFactorNotice = EmailBase & { at?: Date };

const when = (at: Date | undefined) => (at ? ` on ${formatUtc(at)}` : "");

const ifNotYou = (appUrl: string) => [
  "If this was not you, someone else may have your password. Change it now and review where you are signed in:",
  {
    links: [
      { label: "Reset my password", url: appLink(appUrl, "/auth/forgot-password") },
      { label: "Review my sessions", url: appLink(appUrl, "/account/sessions") },
    ],
  },
];

export function twoFactorEnabledEmail(props: TwoFactorNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "two_factor_enabled",
    subject: `Two-factor authentication is on for your ${props.appName} account`,
    blocks: [
      `Two-factor authentication was turned on for your ${props.appName} account${when(props.at)}. Signing in now needs a code from your authenticator app (or a backup code) as well as your password.`,
      "Keep your backup codes somewhere safe: they are the way back in if you lose your phone.",
      ...ifNotYou(props.appUrl),
    ],
  });
}

export function twoFactorDisabledEmail(props: TwoFactorNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "two_factor_disabled",
    subject: `Two-factor authentication was turned off for your ${props.appName} account`,
    blocks: [
      `Two-factor authentication was turned off for your ${props.appName} account${when(props.at)}. Signing in now needs only your password.`,
      { action: "Turn it back on", url: appLink(props.appUrl, "/account/security") },
      ...ifNotYou(props.appUrl),
    ],
  });
}

export function backupCodeUsedEmail(props: TwoFactorNotice & { remaining: number }): RenderedEmail {
  const left =
    props.remaining === 0
      ? "You have no backup codes left: make new ones now."
      : `You have ${props.remaining} backup code${props.remaining === 1 ? "" : "s"} left.`;
  return composeEmail({
    ...props,
    template: "two_factor_backup_code_used",
    subject: `A backup code was used to sign in to ${props.appName}`,
    blocks: [
      `A backup code was used for your ${props.appName} account${when(props.at)}. Each code works once. ${left}`,
      {
        action: "Manage two-factor authentication",
        url: appLink(props.appUrl, "/account/security"),
      },
      ...ifNotYou(props.appUrl),
    ],
  });
}

export function backupCodesRegeneratedEmail(props: TwoFactorNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "two_factor_backup_codes_regenerated",
    subject: `New backup codes were made for your ${props.appName} account`,
    blocks: [
      `New backup codes were made for your ${props.appName} account${when(props.at)}. The old ones no longer work.`,
      ...ifNotYou(props.appUrl),
    ],
  });
}
