import type { Config } from "../../config/env.js";
import { isSingleAddress, type MailError, type Mailer, toMailError } from "../../mail/mailer.js";
import { composeEmail } from "../../mail/templates/index.js";
import { emailSchema } from "../../users/email.js";

/** How mail leaves this process, in the words the page shows. */
export type Transport = { kind: "smtp"; host: string; port: number } | { kind: "capture" };

export type TestSendResult =
  | { ok: true; to: string; messageId: string; transport: Transport }
  | { ok: false; to: string; code: string; error: string; explanation: string };

export function transportOf(config: Pick<Config, "mail">, mailer: Pick<Mailer, "kind">): Transport {
  const { smtpHost, smtpPort } = config.mail;
  return mailer.kind === "smtp" && smtpHost
    ? { kind: "smtp", host: smtpHost, port: smtpPort }
    : { kind: "capture" };
}

/**
 * The recipient typed into the form, or why it is refused. One plain
 * address only (mailer.ts isSingleAddress, then the sign-up rules): a list
 * ("a@x, b@y"), a display name or a line break ("a@b.c\r\nBcc: x") would
 * send this message to someone the form did not name.
 */
export function checkRecipient(
  raw: string,
): { ok: true; to: string } | { ok: false; error: string } {
  const to = raw.trim();
  if (to === "") return { ok: false, error: "Enter the address to send the test message to." };
  if (!isSingleAddress(to)) {
    return {
      ok: false,
      error: "Enter one address only, like name@example.com: no name, list, spaces or line breaks.",
    };
  }
  const parsed = emailSchema.safeParse(to);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues[0]?.message ?? "Enter a valid email address." };
  }
  return { ok: true, to: parsed.data };
}

/**
 * Sends one message straight through the configured mailer, not the outbox:
 * the point is to see this transport's answer now (accepted, with its
 * message id, or its error), not a retry schedule.
 */
export async function sendTestEmail(
  deps: { config: Pick<Config, "appName" | "appUrl" | "mail">; mailer: Mailer },
  options: { to: string; at: Date },
): Promise<TestSendResult> {
  const transport = transportOf(deps.config, deps.mailer);
  const mail = composeEmail({
    template: "dev_test_email",
    subject: `Test message from ${deps.config.appName}`,
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: "",
    blocks: [
      `This is a test message sent from ${deps.config.appName}'s development tools at ${options.at.toISOString()}.`,
      transport.kind === "smtp"
        ? `It went out through the SMTP server at ${transport.host}:${transport.port}.`
        : "It was captured by the development mailer (SMTP_HOST is not set).",
      "If it reached you, mail delivery works. Nothing else needs doing.",
    ],
  });
  try {
    const sent = await deps.mailer.send({
      to: options.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
    return { ok: true, to: options.to, messageId: sent.messageId, transport };
  } catch (error) {
    // The SMTP adapter already blanks its credentials; any other error gets the same care.
    const password = deps.config.mail.smtpPassword;
    const failure = toMailError(error, password ? [password] : []);
    return {
      ok: false,
      to: options.to,
      code: failure.code,
      error: failure.message,
      explanation: explain(failure, transport),
    };
  }
}

/** What an SMTP failure most likely means, and which setting to look at. */
function explain(error: MailError, transport: Transport): string {
  const where = transport.kind === "smtp" ? `${transport.host}:${transport.port}` : "the mailer";
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(error.message)) {
    return `Nothing accepted a connection at ${where}. Is the SMTP server running, and are SMTP_HOST and SMTP_PORT right?`;
  }
  switch (error.code) {
    case "ETIMEDOUT":
      return `${where} did not answer in time. A firewall may drop the connection, or the port may be wrong.`;
    case "EAUTH":
      return `${where} refused the login. Check SMTP_USER and SMTP_PASSWORD.`;
    case "EENVELOPE":
      return `${where} refused the sender (MAIL_FROM) or this recipient.`;
    case "ETLS":
    case "ESTARTTLS":
      return `The TLS handshake with ${where} failed. Port 465 needs SMTP_SECURE=true; 587 and 25 need it false.`;
    case "ECONNECTION":
    case "ESOCKET":
      return `The connection to ${where} failed. Check SMTP_HOST, SMTP_PORT and SMTP_SECURE.`;
    default:
      return `${where} did not accept the message.`;
  }
}
