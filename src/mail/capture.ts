import type { Clock } from "../lib/clock.js";
import {
  isSingleAddress,
  MailError,
  type Mailer,
  type MailMessage,
  type SentMail,
} from "./mailer.js";

/** One captured message as /dev/mail and /dev/mail.json show it. */
export interface CapturedMail {
  /** Per-mailer sequence number, used in /dev/mail/:id/html. */
  id: string;
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  created_at: Date;
}

export interface CaptureMailer extends Mailer {
  readonly kind: "capture";
  /** Newest first. */
  messages(): CapturedMail[];
  find(id: string): CapturedMail | undefined;
  clear(): void;
}

export const CAPTURE_LIMIT = 200;

/**
 * Keeps the newest `limit` messages in memory instead of sending them, so
 * development needs no SMTP server and tests can read what was "sent".
 * State lives in this instance only: two apps in one process never share it.
 */
export function createCaptureMailer(options: {
  clock: Clock;
  limit?: number;
  domain?: string;
}): CaptureMailer {
  const limit = options.limit ?? CAPTURE_LIMIT;
  const domain = options.domain ?? "capture.invalid";
  let kept: CapturedMail[] = [];
  let sequence = 0;

  return {
    kind: "capture",
    async send(message: MailMessage): Promise<SentMail> {
      // Same rule as the SMTP adapter, so development fails where production would.
      if (!isSingleAddress(message.to)) throw new MailError("EENVELOPE", "invalid recipient");
      sequence += 1;
      const id = String(sequence);
      const messageId = `<${id}.${options.clock.now().getTime()}@${domain}>`;
      kept.unshift({
        id,
        messageId,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { ...message.headers },
        created_at: options.clock.now(),
      });
      if (kept.length > limit) kept = kept.slice(0, limit);
      return { messageId };
    },
    messages: () => [...kept],
    find: (id) => kept.find((m) => m.id === id),
    clear: () => {
      kept = [];
    },
    close: async () => {},
  };
}

export function isCaptureMailer(mailer: Mailer): mailer is CaptureMailer {
  return mailer.kind === "capture";
}
