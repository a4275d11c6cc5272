import { describe, expect, it } from "vitest";
import { fixedClock } from "../lib/clock.js";
import { CAPTURE_LIMIT, createCaptureMailer, isCaptureMailer } from "./capture.js";
import { mailerContract } from "./mailer.contract.js";

mailerContract("capture", async () => {
  const mailer = createCaptureMailer({ clock: fixedClock() });
  return {
    mailer,
    delivered: () => mailer.messages().reverse(),
    close: () => mailer.close(),
  };
});

describe("capture mailer", () => {
  const mail = (n: number) => ({
    to: `user${n}@example.test`,
    subject: `Subject ${n}`,
    text: `text ${n}`,
    html: `<p>html ${n}</p>`,
  });

  it("lists newest first with to, subject, text, html and created_at from the clock", async () => {
    const clock = fixedClock("2026-03-01T10:00:00.000Z");
    const mailer = createCaptureMailer({ clock });
    await mailer.send(mail(1));
    clock.advance(1000);
    await mailer.send(mail(2));
    const [newest, oldest] = mailer.messages();
    expect(newest).toMatchObject({ ...mail(2), created_at: new Date("2026-03-01T10:00:01.000Z") });
    expect(oldest).toMatchObject({ ...mail(1), created_at: new Date("2026-03-01T10:00:00.000Z") });
    expect(mailer.find(String(newest?.id))?.subject).toBe("Subject 2");
    expect(isCaptureMailer(mailer)).toBe(true);
  });

  it(`keeps only the newest ${CAPTURE_LIMIT} messages, so a long dev session cannot grow memory`, async () => {
    const mailer = createCaptureMailer({ clock: fixedClock() });
    for (let n = 1; n <= CAPTURE_LIMIT + 5; n++) await mailer.send(mail(n));
    const kept = mailer.messages();
    expect(kept).toHaveLength(CAPTURE_LIMIT);
    expect(kept[0]?.subject).toBe(`Subject ${CAPTURE_LIMIT + 5}`);
    expect(kept.at(-1)?.subject).toBe("Subject 6");
  });

  it("a copy is returned, and clear empties it; two mailers share nothing", async () => {
    const a = createCaptureMailer({ clock: fixedClock() });
    const b = createCaptureMailer({ clock: fixedClock() });
    await a.send(mail(1));
    a.messages().pop();
    expect(a.messages()).toHaveLength(1);
    expect(b.messages()).toEqual([]);
    a.clear();
    expect(a.messages()).toEqual([]);
  });
});
