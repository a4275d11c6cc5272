import type { Config } from "../config/env.js";
import type { Clock } from "../lib/clock.js";
import { createCaptureMailer } from "./capture.js";
import type { Mailer } from "./mailer.js";

/**
 * How mail leaves this instance:
 * - "smtp": SMTP_HOST is set.
 * - "capture": development and tests without SMTP_HOST; shown at /dev/mail.
 * - "hold": production without SMTP_HOST. Capturing there would throw mail
 *   away (nobody can see /dev/mail in production) and refusing to start would
 *   take down a site that may not need mail yet. So the outbox keeps every
 *   message pending and the sender is not started: configure SMTP, restart,
 *   and the backlog goes out. The start-up log says so, and `doctor` flags it.
 */
export type MailDelivery = "smtp" | "capture" | "hold";

export function mailDelivery(config: Config): MailDelivery {
  if (config.mail.smtpHost) return "smtp";
  return config.isProduction ? "hold" : "capture";
}

/**
 * Picks the mail adapter for a Config; the only place that knows both exist.
 * The SMTP client is imported only when it is the one chosen: it was a tenth
 * of the start-up time of a server that sends no mail.
 */
export async function openMailer(config: Config, options: { clock: Clock }): Promise<Mailer> {
  if (mailDelivery(config) !== "smtp") return createCaptureMailer({ clock: options.clock });
  const { createSmtpMailer } = await import("./smtp.js");
  return createSmtpMailer(config.mail);
}
