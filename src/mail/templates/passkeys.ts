import { formatUtc } from "./account-access.js";
import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";

/**
 * Passkey notices (src/auth/passkeys). A passkey is a way in on its own, so
 * adding one is as worth telling the owner about as a password change, and
 * so is removing one (an attacker cleaning up, or an admin acting). A
 * counter that went backwards is the one sign a passkey was copied.
 */
type PasskeyNotice = EmailBase & { passkeyName: string; at?: Date };

const when = (at: Date | undefined) => (at ? ` on ${formatUtc(at)}` : "");

const ifNotYou = (appUrl: string) => [
  "If this was not you, someone may be signed in to your account. Review your passkeys and where you are signed in:",
  {
    links: [
      { label: "Review my passkeys", url: appLink(appUrl, "/account/security") },
      { label: "Review my sessions", url: appLink(appUrl, "/account/sessions") },
    ],
  },
];

export function passkeyAddedEmail(props: PasskeyNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "passkey_added",
    subject: `A passkey was added to your ${props.appName} account`,
    blocks: [
      `A passkey named "${props.passkeyName}" was added to your ${props.appName} account${when(props.at)}. It can now sign in to your account.`,
      ...ifNotYou(props.appUrl),
    ],
  });
}

export function passkeyRemovedEmail(
  props: PasskeyNotice & { by?: "you" | "admin" },
): RenderedEmail {
  const who = props.by === "admin" ? " by an administrator" : "";
  return composeEmail({
    ...props,
    template: "passkey_removed",
    subject: `A passkey was removed from your ${props.appName} account`,
    blocks: [
      `The passkey named "${props.passkeyName}" was removed from your ${props.appName} account${who}${when(props.at)}. It can no longer sign in.`,
      ...ifNotYou(props.appUrl),
    ],
  });
}

export function passkeyCounterRegressionEmail(props: PasskeyNotice): RenderedEmail {
  return composeEmail({
    ...props,
    template: "passkey_counter_regression",
    subject: `A sign-in with your ${props.appName} passkey was refused`,
    blocks: [
      `A sign-in with your passkey "${props.passkeyName}" was refused${when(props.at)}: the passkey's signature counter went backwards. That happens when a copy of the passkey is used, so it may have been cloned.`,
      "Remove this passkey and add a new one from a device you trust:",
      { action: "Review my passkeys", url: appLink(props.appUrl, "/account/security") },
    ],
  });
}
