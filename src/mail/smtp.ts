import nodemailer from "nodemailer";
import type { Config } from "../config/env.js";
import {
  isSingleAddress,
  MailError,
  type Mailer,
  type MailMessage,
  toMailError,
} from "./mailer.js";

/**
 * A slow or silent server must not hold a sender batch for nodemailer's
 * default two minutes per stage: ~10 s each, and the outbox retries later.
 */
const TIMEOUT_MS = 10_000;

export type SmtpSettings = Config["mail"];

/**
 * Delivers through an SMTP server. `secure` is implicit TLS (port 465);
 * otherwise nodemailer upgrades with STARTTLS whenever the server offers it.
 * That upgrade is opportunistic: an active attacker on the path can strip the
 * offer; point SMTP_HOST at a provider on 465 (SMTP_SECURE=true) when the
 * path is not trusted. One connection per message (no pool): the outbox sends
 * small batches, and there is no idle connection to go stale between them.
 */
export function createSmtpMailer(
  settings: SmtpSettings,
  options: { timeoutMs?: number } = {},
): Mailer {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  if (!settings.smtpHost) throw new TypeError("createSmtpMailer: SMTP_HOST is not set");
  const transport = nodemailer.createTransport({
    host: settings.smtpHost,
    port: settings.smtpPort,
    secure: settings.smtpSecure,
    auth: settings.smtpUser
      ? { user: settings.smtpUser, pass: settings.smtpPassword ?? "" }
      : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const secrets = [settings.smtpPassword, settings.smtpUser].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );

  return {
    kind: "smtp",
    async send(message: MailMessage) {
      if (!isSingleAddress(message.to)) throw new MailError("EENVELOPE", "invalid recipient");
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: message.to,
          // An explicit envelope: the recipient is exactly this one address, never a parsed list.
          envelope: { from: envelopeFrom(settings.from), to: [message.to] },
          subject: message.subject,
          text: message.text,
          html: message.html,
          // RFC 3834: machine-sent, so vacation responders and auto-replies leave it alone.
          headers: { "Auto-Submitted": "auto-generated", ...message.headers },
          // Bodies are strings we rendered; never let content reference local files or URLs.
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        return { messageId: String(info.messageId) };
      } catch (error) {
        throw toMailError(error, secrets);
      }
    },
    close: async () => {
      transport.close();
    },
  };
}

/** "App <no-reply@example.com>" -> "no-reply@example.com". */
function envelopeFrom(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}
