import type { Deps } from "../deps.js";
import { activeAdminExists } from "./admins.js";

export type OfferSetupDeps = Pick<Deps, "config" | "db" | "logger" | "setup">;

/**
 * Run once at start (src/main.ts), after the server listens. While no active
 * admin exists, draws the one-time setup token and logs ONE line with the
 * link, as Jenkins and Grafana do: whoever can read this server's log is the
 * operator. In production too: it is the only way in besides the CLI, and it
 * never creates an account or a password by itself.
 *
 * Per instance: the token lives in this process's memory, so each instance
 * behind a load balancer logs its own link, and a link only works on the
 * instance that logged it (open it there, or use the CLI). Once any admin
 * exists every instance answers 404 at /setup.
 *
 * The message names the CLI as the other way, for a link that expired
 * (restart for a new one) or a log nobody can read.
 */
export async function offerSetup(deps: OfferSetupDeps): Promise<{ url: string } | undefined> {
  if (await activeAdminExists(deps.db)) return undefined;
  const { token, expiresAt } = deps.setup.open();
  const url = `${deps.config.appUrl}/setup?token=${token}`;
  deps.logger.warn(
    { setupUrl: url, expiresAt: expiresAt.toISOString() },
    `No admin account yet: open ${url} to create the first one (works once, until ${expiresAt.toISOString()}; restart for a new link), or run: npm run cli -- user create --admin --email <address> --first-name <name>`,
  );
  return { url };
}
