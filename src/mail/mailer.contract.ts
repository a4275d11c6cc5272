import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejectionOf } from "../../test/rejection.js";
import { MailError, type Mailer } from "./mailer.js";

/** A delivered message as the adapter's far side saw it. */
export interface Delivered {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailerFixture {
  mailer: Mailer;
  /** What reached the other side so far, oldest first. */
  delivered(): Delivered[];
  close(): Promise<void>;
}

/**
 * What every Mailer adapter promises. Runs against capture.ts (in memory) and
 * smtp.ts (a real SMTP server), so development mail behaves like production mail.
 */
export function mailerContract(name: string, setup: () => Promise<MailerFixture>): void {
  describe(`Mailer contract: ${name}`, () => {
    let f: MailerFixture;
    beforeEach(async () => {
      f = await setup();
    });
    afterEach(async () => {
      await f.close();
    });

    it("delivers to, subject, text and html unchanged, including non-ASCII text", async () => {
      const message = {
        to: "zoë@example.test",
        subject: "Grüße — confirm ✓",
        text: "Hello Zoë,\n\nhttps://app.example/auth/verify?token=abc_-123\n",
        html: '<!doctype html><html><body><p>Hello Zoë, <a href="https://app.example/x?a=1&amp;b=2">link</a></p></body></html>',
      };
      const { messageId } = await f.mailer.send(message);
      expect(messageId).toMatch(/^<.+@.+>$/);
      const [got, ...rest] = f.delivered();
      expect(rest).toEqual([]);
      expect(got?.to).toBe(message.to);
      expect(got?.subject).toBe(message.subject);
      expect(got?.text.trim()).toBe(message.text.trim());
      expect(got?.html).toContain('<a href="https://app.example/x?a=1&amp;b=2">link</a>');
    });

    it("gives each message its own Message-ID", async () => {
      const base = { to: "a@example.test", subject: "s", text: "t", html: "<p>t</p>" };
      const a = await f.mailer.send(base);
      const b = await f.mailer.send(base);
      expect(a.messageId).not.toBe(b.messageId);
      expect(f.delivered()).toHaveLength(2);
    });

    it.each([
      "a@example.test, victim@example.test",
      "Someone <victim@example.test>",
      "a@example.test\r\nBcc: victim@example.test",
      "not-an-address",
    ])("threat: a crafted recipient (%j) is refused, nothing is sent", async (to) => {
      await rejectionOf(
        f.mailer.send({ to, subject: "s", text: "t", html: "<p>t</p>" }),
        MailError,
      );
      expect(f.delivered()).toEqual([]);
    });

    it("close is idempotent: it resolves every time, in turn or at once, and loses nothing delivered", async () => {
      await f.mailer.send({
        to: "a@example.test",
        subject: "before close",
        text: "t",
        html: "<p>t</p>",
      });
      await expect(f.mailer.close()).resolves.toBeUndefined();
      await expect(f.mailer.close()).resolves.toBeUndefined();
      // Shutdown paths can race (a signal during a failed start): both calls settle cleanly.
      await expect(Promise.all([f.mailer.close(), f.mailer.close()])).resolves.toEqual([
        undefined,
        undefined,
      ]);
      expect(f.delivered().map((m) => m.subject)).toEqual(["before close"]);
      // afterEach closes once more through the fixture.
    });
  });
}
