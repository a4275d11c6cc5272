import type { Queryable } from "../../db/db.js";
import type { EmailBase, RenderedEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";
import type { AdminDeps } from "./context.js";

/**
 * Queues a notice to the account's owner in the action's transaction: the
 * mail exists if and only if the change it announces committed.
 */
export async function queueNotice(
  deps: Pick<AdminDeps, "config" | "clock" | "outbox">,
  tx: Queryable,
  user: Pick<User, "id" | "email" | "firstName">,
  render: (base: EmailBase & { at: Date }) => RenderedEmail,
): Promise<void> {
  const mail = render({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: user.firstName,
    at: deps.clock.now(),
  });
  await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
}
