import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";
import { singleUseLinkEmail } from "./single-use-link.js";

/** To the NEW address: the email changes only when this link is confirmed. */
export function emailChangeConfirmEmail(
  props: EmailBase & { token: string; validMinutes: number },
): RenderedEmail {
  return singleUseLinkEmail(props, {
    template: "email_change_confirm",
    subject: `Confirm your new email address for ${props.appName}`,
    intro: `You asked to use this address for your ${props.appName} account. Confirm it to make the change.`,
    action: "Confirm my new email address",
    path: "/account/email/confirm",
    validFor: `${props.validMinutes} minutes`,
    note: "If you did not ask for this, ignore this email: nothing changes without the link.",
  });
}

/** To the OLD address, so the owner hears of a change they did not make while they can still act. */
export function emailChangeNoticeEmail(props: EmailBase & { newEmail: string }): RenderedEmail {
  return composeEmail({
    ...props,
    template: "email_change_notice",
    subject: `Your ${props.appName} email address is being changed`,
    blocks: [
      `Someone signed in to your ${props.appName} account asked to change its email address to ${maskEmail(props.newEmail)}. The change happens only when the link sent to that address is confirmed.`,
      "If that was you, there is nothing else to do.",
      "If it was not, reset your password now and review where you are signed in:",
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
 * "ja•••@example.com": enough for the owner to recognise (or not) the new
 * address, without handing a full address to whoever reads the old mailbox.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  const local = email.slice(0, at);
  return `${local.slice(0, Math.min(2, local.length - 1))}•••${email.slice(at)}`;
}
