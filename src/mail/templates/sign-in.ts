import { formatUtc } from "./account-access.js";
import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";

const MAX_DEVICE = 60;

/**
 * The browser description comes from the User-Agent header, which whoever
 * signed in wrote (and they may be the attacker this mail warns about). So
 * only letters, digits and spaces survive, a bounded number of them: no
 * link, address or phone number can be planted in a security notice.
 * "Firefox 128 on macOS" passes unchanged.
 */
function deviceText(device: string): string {
  const clean = device
    .replace(/[^\p{L}\p{N} ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (clean === "") return "an unknown browser";
  return clean.length > MAX_DEVICE ? `${clean.slice(0, MAX_DEVICE)}…` : clean;
}

/** The client IP, already parsed by the client-IP middleware; kept to IP characters anyway. */
function ipText(ip: string | null): string {
  const clean = (ip ?? "").replace(/[^0-9A-Fa-f:.]/g, "").slice(0, 45);
  return clean === "" ? "unknown" : clean;
}

/**
 * "New sign-in": a password sign-in from a browser that had not signed into
 * the account before (no device cookie). Names when, with what and from
 * where, so the owner can tell their own new laptop from a stranger, and
 * says what to do if it was not them.
 */
export function newSignInEmail(
  props: EmailBase & { at: Date; device: string; ip: string | null },
): RenderedEmail {
  return composeEmail({
    ...props,
    template: "new_sign_in",
    subject: `New sign-in to your ${props.appName} account`,
    blocks: [
      `Your ${props.appName} account was signed in to from a browser that had not signed in before.`,
      `When: ${formatUtc(props.at)}. Browser: ${deviceText(props.device)}. IP address: ${ipText(props.ip)}.`,
      "If this was you, there is nothing to do.",
      "If it was not, someone has your password. Change it, and sign out the devices you do not recognise:",
      {
        links: [
          { label: "Change my password", url: appLink(props.appUrl, "/account/password") },
          { label: "Review my sessions", url: appLink(props.appUrl, "/account/sessions") },
        ],
      },
      {
        note: "You get this email for each new browser. You can turn it off on your account page.",
      },
    ],
  });
}
