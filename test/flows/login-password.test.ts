import { parseOptions } from "@node-rs/argon2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemRandom } from "../../src/lib/random.js";
import { ARGON2_MINIMUM, createPasswordHasher } from "../../src/passwords/hasher.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { csrfToken, login, ORIGIN, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe.each(availableDialects())("passwords at login (%s)", (dialect) => {
  it("rehashes on a successful login when ARGON2_* were raised", async () => {
    t = await createTestApp({ dialect, env: { ARGON2_TIME_COST: "3" } });
    const oldHasher = createPasswordHasher({
      params: ARGON2_MINIMUM,
      concurrency: 1,
      maxQueue: 1,
      random: systemRandom(),
    });
    const result = await t.deps.users.create({
      email: "alice@example.com",
      firstName: "Alice",
      lastName: "L",
      passwordHash: await oldHasher.hash(PASSWORD),
      emailVerifiedAt: t.clock.now(),
    });
    if (!result.ok) throw new Error("seed failed");
    expect((await login(t.client)).status).toBe(303);
    const stored = (await t.deps.users.findById(result.user.id))?.passwordHash ?? "";
    expect(parseOptions(stored).timeCost).toBe(3);
    expect(t.deps.passwords.needsRehash(stored)).toBe(false);
    expect((await t.deps.audit.list({ type: "login_succeeded" }))[0]?.details.rehashed).toBe(true);
    // And the new hash still signs in.
    expect((await login(t.newClient())).status).toBe(303);
  });

  it("a failed login never rehashes", async () => {
    t = await createTestApp({ dialect, env: { ARGON2_TIME_COST: "3" } });
    const user = await seedUser(t); // hashed with t=3 already
    const hash = vi.spyOn(t.deps.passwords, "hash");
    await login(t.client, { password: "not the password" });
    expect(hash).not.toHaveBeenCalled();
    expect((await t.deps.users.findById(user.id))?.passwordHash).toBe(user.passwordHash);
  });
});

describe("hashing capacity", () => {
  it("beyond the bounded queue, logins get 503 with Retry-After instead of piling up", async () => {
    t = await createTestApp({
      env: {
        UV_THREADPOOL_SIZE: "1",
        PASSWORD_HASH_MAX_QUEUE: "0",
        RATE_LIMITS: "login=1000/10m,login_account=1000/10m",
        // Twelve guesses: the lock (5) would otherwise answer most of them before any hashing.
        MAX_FAILED_LOGIN_ATTEMPTS: "100",
      },
    });
    // The hasher precomputes its dummy hash at startup; let it finish before seeding.
    await t.deps.passwords.verify(null, "warm up");
    await seedUser(t);
    const token = await csrfToken(t.client);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.client.post(
          "/auth/login",
          { _csrf: token, email: "alice@example.com", password: `guess number ${i}` },
          { Origin: ORIGIN },
        ),
      ),
    );
    const busy = results.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const res of busy) {
      expect(res.headers.get("Retry-After")).toBe("2");
      expect(await res.text()).toContain("The service is busy");
    }
    expect(results.every((r) => r.status === 503 || r.status === 401)).toBe(true);
    expect(t.deps.passwords.load()).toMatchObject({ running: 0, queued: 0 });
  });

  it("257 characters are refused before any hashing", async () => {
    t = await createTestApp();
    await seedUser(t);
    const verify = vi.spyOn(t.deps.passwords, "verify");
    const res = await login(t.client, { password: "a".repeat(257) });
    expect(res.status).toBe(422);
    expect(verify).not.toHaveBeenCalled();
    const ok = await login(t.newClient(), { password: "a".repeat(256) });
    expect(ok.status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
