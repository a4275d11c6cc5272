import type { Config } from "../config/env.js";
import type { Queryable } from "../db/db.js";
import type { Outbox } from "../mail/outbox.js";
import type { EmailBase, RenderedEmail } from "../mail/templates/index.js";
import type { User } from "../users/user.js";
import type { AuthTokens } from "./tokens.js";

/**
 * The one shape of every mailed link (verification, reset, unlock): a fresh
 * single-use token for the user's current address, and the mail carrying it,
 * queued in the caller's transaction so neither exists without the other.
 * The token records the address it went to: if the account's address
 * changes, the link dies (see sameAddress in verify/service.ts).
 */
export async function queueLinkMail(
  deps: { config: Config; tokens: AuthTokens; outbox: Outbox },
  tx: Queryable,
  options: {
    user: Pick<User, "id" | "email" | "firstName">;
    purpose: "email_verification" | "password_reset" | "account_unlock";
    ttlMs: number;
    render: (base: EmailBase & { token: string }) => RenderedEmail;
  },
): Promise<void> {
  const { user } = options;
  const token = await deps.tokens.issueToken(tx, {
    userId: user.id,
    purpose: options.purpose,
    ttlMs: options.ttlMs,
    data: { email: user.email },
  });
  const mail = options.render({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: user.firstName,
    token,
  });
  await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
}
