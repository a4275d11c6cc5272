import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";

/**
 * Someone signed in through a provider whose (unverified) address matches
 * an existing account. Nothing was linked; the page they saw is the same
 * "check your inbox" page a brand-new account gets, so it reveals nothing
 * about which addresses have accounts. The real owner learns here how to
 * link the provider safely: by signing in first.
 */
export function oauthSignInAttemptEmail(props: EmailBase & { provider: string }): RenderedEmail {
  return composeEmail({
    ...props,
    template: "oauth_sign_in_attempt",
    subject: `Someone tried to sign in to ${props.appName} with ${props.provider}`,
    blocks: [
      `Someone tried to sign in to ${props.appName} with a ${props.provider} account that uses this email address. ${props.provider} has not verified that address, so it was not connected to your account.`,
      `If it was you: sign in with your password, then link ${props.provider} under Account, Security.`,
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
