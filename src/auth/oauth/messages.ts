import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { RefusalReason } from "./linking.js";
import type { FailureReason } from "./types.js";

/**
 * What a person reads when a flow does not end in a sign-in. The audit log
 * keeps the precise reason; the page says what happened and what to do, in
 * words, and never echoes provider error text (attacker-controlled: anyone
 * can send a victim to our callback with `error_description=…`).
 */
export interface Problem {
  status: ContentfulStatusCode;
  title: string;
  message: string;
}

export function failureProblem(reason: FailureReason, provider: string): Problem {
  switch (reason) {
    case "cancelled":
      return {
        status: 400,
        title: "Sign-in cancelled",
        message: `You cancelled signing in with ${provider}. Nothing was changed.`,
      };
    case "timeout":
      // An upstream that did not answer in time: 504, like a gateway, never a 500.
      return {
        status: 504,
        title: `${provider} did not answer`,
        message: `${provider} took too long to answer. Please try again in a moment.`,
      };
    case "provider_unreachable":
    case "discovery_failed":
      return {
        status: 502,
        title: `${provider} is unavailable`,
        message: `We could not reach ${provider}. Please try again in a moment.`,
      };
    case "token_exchange_failed":
    case "id_token_invalid":
    case "profile_failed":
      return {
        status: 502,
        title: "Sign-in failed",
        message: `We could not confirm your ${provider} sign-in. Please try again.`,
      };
    case "provider_error":
      return {
        status: 400,
        title: "Sign-in failed",
        message: `${provider} could not complete the sign-in. Please try again.`,
      };
  }
}

/** Missing, forged, expired, replayed or foreign flow cookie: the login CSRF defence speaking. */
export const STATE_PROBLEM: Problem = {
  status: 400,
  title: "This sign-in link has expired",
  message:
    "This sign-in was started in another browser or tab, took too long, or was already used. Please start again.",
};

export function refusalProblem(reason: RefusalReason | "conflict", provider: string): Problem {
  switch (reason) {
    case "deactivated":
      return {
        status: 403,
        title: "This account cannot sign in",
        message:
          "This account has been deactivated. Contact support if you think this is a mistake.",
      };
    case "no_email":
      return {
        status: 400,
        title: "No email address",
        message: `${provider} did not share an email address with us. Add a primary email address at ${provider} (and verify it), or create an account with a password.`,
      };
    case "provider_already_linked":
      return {
        status: 409,
        title: `Another ${provider} account is linked`,
        message: `Your account is already linked to a different ${provider} account. Unlink it under Account, Security first, or sign in with the linked one.`,
      };
    case "identity_taken":
      return {
        status: 409,
        title: "Already linked elsewhere",
        message: `This ${provider} account is already linked to another account here. Sign in with it there and unlink it first.`,
      };
    case "session_changed":
      return STATE_PROBLEM;
    case "conflict":
      return {
        status: 409,
        title: "Please try again",
        message: "Another sign-in for this account happened at the same moment. Please try again.",
      };
  }
}
