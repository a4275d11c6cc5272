import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { rehearse } from "./rehearse.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function counts() {
  const n = async (table: string) =>
    Number((await t.deps.db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n);
  return { users: await n("users"), tokens: await n("auth_tokens"), mail: await n("mail_outbox") };
}

describe.each(availableDialects())("rehearse (%s)", (dialect) => {
  it("does the writes and keeps none of them: no phantom user, token or queued mail survives", async () => {
    t = await createTestApp({ dialect });
    const before = await counts();
    await rehearse(t.deps.db, async (tx) => {
      const created = await t.deps.users.create(
        { email: "phantom@rehearsal.invalid", firstName: "", lastName: "", passwordHash: null },
        tx,
      );
      if (!created.ok) throw new Error("phantom account collided");
      const phantom = created.user;
      await t.deps.tokens.issueToken(tx, {
        userId: phantom.id,
        purpose: "password_reset",
        ttlMs: 60_000,
      });
      await t.deps.outbox.enqueue(tx, {
        to: phantom.email,
        subject: "s",
        text: "t",
        html: "<p>h</p>",
        template: "password_reset",
        userId: phantom.id,
      });
      // Inside the transaction the rows are real.
      const row = await tx.one<{ n: number }>("SELECT count(*) AS n FROM mail_outbox");
      expect(Number(row?.n)).toBe(before.mail + 1);
    });
    expect(await counts()).toEqual(before);
    expect(await t.deps.outbox.runOnce()).toEqual({ sent: 0, failed: 0, dead: 0 });
  });

  it("a real failure inside a rehearsal is not swallowed", async () => {
    t = await createTestApp({ dialect });
    await expect(
      rehearse(t.deps.db, async (tx) => {
        await tx.execute("SELECT * FROM no_such_table");
      }),
    ).rejects.toThrow();
  });
});
