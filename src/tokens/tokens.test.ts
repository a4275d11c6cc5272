import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { hashToken } from "./tokens.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function seed(app: TestApp, email = "alice@example.com") {
  const r = await app.deps.users.create({
    email,
    firstName: "A",
    lastName: "B",
    passwordHash: null,
  });
  if (!r.ok) throw new Error("seed");
  return r.user;
}

describe.each(availableDialects())("mailed single-use tokens (%s)", (dialect) => {
  it("256-bit base64url token, only its SHA-256 stored, consumed exactly once", async () => {
    t = await createTestApp({ dialect });
    const user = await seed(t);
    const { tokens, db } = t.deps;
    const token = await db.transaction((tx) =>
      tokens.issueToken(tx, {
        userId: user.id,
        purpose: "password_reset",
        ttlMs: 60_000,
        data: { a: 1 },
      }),
    );
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db.query<{ token_hash: string }>("SELECT token_hash FROM auth_tokens");
    expect(rows).toEqual([{ token_hash: hashToken(token) }]);
    expect(await tokens.peekToken(db, { purpose: "password_reset", token })).toMatchObject({
      userId: user.id,
    });
    // Another purpose never matches (a verification link cannot reset a password).
    expect(await tokens.consumeToken(db, { purpose: "email_verification", token })).toBeUndefined();
    const first = await db.transaction((tx) =>
      tokens.consumeToken(tx, { purpose: "password_reset", token }),
    );
    expect(first).toMatchObject({ userId: user.id, data: { a: 1 } });
    expect(await tokens.consumeToken(db, { purpose: "password_reset", token })).toBeUndefined();
    expect(await tokens.peekToken(db, { purpose: "password_reset", token })).toBeUndefined();
  });

  it("expires after ttl", async () => {
    t = await createTestApp({ dialect });
    const user = await seed(t);
    const token = await t.deps.tokens.issueToken(t.deps.db, {
      userId: user.id,
      purpose: "email_verification",
      ttlMs: 60_000,
    });
    t.clock.advance(60_000);
    expect(
      await t.deps.tokens.consumeToken(t.deps.db, { purpose: "email_verification", token }),
    ).toBeUndefined();
  });

  it("a new token voids older unused ones of the same purpose, not other purposes or users", async () => {
    t = await createTestApp({ dialect });
    const user = await seed(t);
    const other = await seed(t, "bob@example.com");
    const { tokens, db } = t.deps;
    const issue = (userId: string, purpose: "password_reset" | "email_verification") =>
      tokens.issueToken(db, { userId, purpose, ttlMs: 60_000 });
    const old = await issue(user.id, "password_reset");
    const verify = await issue(user.id, "email_verification");
    const bobs = await issue(other.id, "password_reset");
    const fresh = await issue(user.id, "password_reset");
    expect(await tokens.peekToken(db, { purpose: "password_reset", token: old })).toBeUndefined();
    expect(await tokens.peekToken(db, { purpose: "password_reset", token: fresh })).toBeDefined();
    expect(
      await tokens.peekToken(db, { purpose: "email_verification", token: verify }),
    ).toBeDefined();
    expect(await tokens.peekToken(db, { purpose: "password_reset", token: bobs })).toBeDefined();
  });

  it("20 parallel consumes of one token: exactly one wins", async () => {
    t = await createTestApp({ dialect });
    const user = await seed(t);
    const { tokens, db } = t.deps;
    const token = await tokens.issueToken(db, {
      userId: user.id,
      purpose: "password_reset",
      ttlMs: 60_000,
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        db
          .transaction((tx) => tokens.consumeToken(tx, { purpose: "password_reset", token }))
          .catch(() => undefined),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("forged, malformed and huge tokens find nothing and never throw", async () => {
    t = await createTestApp({ dialect });
    const { tokens, db } = t.deps;
    for (const token of ["", "x", "A".repeat(43), "A".repeat(10_000), "' OR 1=1 --"]) {
      expect(await tokens.consumeToken(db, { purpose: "password_reset", token })).toBeUndefined();
    }
  });
});
