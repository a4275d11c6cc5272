import { CodedError } from "../lib/coded-error.js";

/**
 * The mail port. Two adapters implement it: smtp.ts (nodemailer) and
 * capture.ts (in memory, for development and tests); mailer.contract.ts runs
 * against both. Callers never send directly: they enqueue into the outbox
 * (outbox.ts) inside their transaction, and the outbox sender calls `send`.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers such as List-Unsubscribe; never From/To/Subject. */
  headers?: Record<string, string>;
}

export interface SentMail {
  /** The Message-ID the transport assigned, kept on the outbox row for tracing. */
  messageId: string;
}

export type MailerKind = "smtp" | "capture";

export interface Mailer {
  readonly kind: MailerKind;
  /** Resolves once the transport accepted the message; rejects with a MailError otherwise. */
  send(message: MailMessage): Promise<SentMail>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * A failed delivery. `message` is short, single-line and free of credentials:
 * it is stored in mail_outbox.last_error and logged.
 */
export class MailError extends CodedError {
  override name = "MailError";
}

/** One plain address: no display name, list separator, quoting, whitespace or control character. */
const SINGLE_ADDRESS = /^[^\s@,;:<>"()[\]\\\p{Cc}]+@[^\s@,;:<>"()[\]\\\p{Cc}]+$/u;

/**
 * Defence in depth for recipients that came from a form: "a@x.test, b@y.test"
 * or "Name <b@y.test>" would make a transport send to someone else (or to
 * several people), and CR/LF could inject headers. Signup validation should
 * already reject these; this guard makes sure mail never relies on that.
 */
export function isSingleAddress(value: string): boolean {
  return value.length <= 254 && SINGLE_ADDRESS.test(value);
}

const MAX_ERROR_LENGTH = 200;

/**
 * Any transport error as a MailError. nodemailer errors carry a code (ESOCKET,
 * EAUTH, ETIMEDOUT, EENVELOPE...) and sometimes the server's reply: keep the
 * first line, capped, with the configured credentials blanked in case a
 * server echoes them.
 */
export function toMailError(error: unknown, secrets: readonly string[] = []): MailError {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "ESEND";
  let text = typeof e?.message === "string" ? e.message : String(error);
  text = (text.split(/\r?\n/)[0] ?? "").trim();
  for (const secret of secrets) text = text.split(secret).join("[redacted]");
  if (text.length > MAX_ERROR_LENGTH) text = `${text.slice(0, MAX_ERROR_LENGTH)}…`;
  return new MailError(code, `${code}: ${text}`, { cause: error });
}
