import { parseOptions } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { systemRandom } from "../lib/random.js";
import {
  ARGON2_MINIMUM,
  createPasswordHasher,
  hashConcurrency,
  normalizePassword,
} from "./hasher.js";
import { createPasswordPolicy } from "./policy.js";
import { createSemaphore } from "./semaphore.js";

const policy = createPasswordPolicy({ minLength: 12 });
const EMAIL = "alice.smith@example.com";

describe("password policy (NIST 800-63B: length, blocklist, context; no composition rules)", () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["empty", "", "Enter a password."],
    ["too short (11)", "abcdefghijk", "Use at least 12 characters."],
    ["exactly the minimum", "tulip window", undefined],
    ["lowercase words only (no composition rules)", "purple elephant dancing", undefined],
    [
      "common password",
      "qwerty123456",
      "This password is too common. Choose something less predictable.",
    ],
    [
      "common password, other case",
      "QWERTY123456",
      "This password is too common. Choose something less predictable.",
    ],
    [
      "contains the email local part",
      "my alice.smith secret",
      "Do not use your email address or name in your password.",
    ],
    [
      "local part in other case",
      "ALICE.SMITH-forever-2024",
      "Do not use your email address or name in your password.",
    ],
    ["repetition", "abababababababab", "Avoid repeating one character or a short pattern."],
    ["256 characters", "tulip window ".repeat(20).slice(0, 256), undefined],
    ["257 characters", "tulip window ".repeat(20).slice(0, 257), "Use at most 256 characters."],
    ["unicode accepted", "pässwörd κωδικός 密码", undefined],
    ["emoji count as one character each", "🔐🔐🔑🗝️ mój zamek", undefined],
  ];
  it.each(cases)("%s", (_name, password, error) => {
    const result = policy.check({ password, email: EMAIL });
    expect(result.error).toBe(error);
    expect(result.ok).toBe(error === undefined);
    expect(result.hint).not.toBe("");
  });

  it("a local part shorter than 3 characters is not a rule (it would reject too much)", () => {
    expect(policy.check({ password: "all the aliens arrive", email: "al@example.com" }).ok).toBe(
      true,
    );
  });

  it("names count as personal words too", () => {
    const r = policy.check({ password: "liddell wonderland", personal: ["Liddell"] });
    expect(r.ok).toBe(false);
  });

  it("a megabyte input is refused without normalising it", () => {
    expect(policy.check({ password: "x".repeat(1_000_000) }).error).toBe(
      "Use at most 256 characters.",
    );
  });

  it("the minimum never drops below 8 whatever is configured", () => {
    expect(createPasswordPolicy({ minLength: 4 }).minLength).toBe(8);
  });

  it("score grows with length", () => {
    const scores = [12, 16, 20, 24].map(
      (n) => policy.check({ password: "purple elephant dancing on the roof".slice(0, n) }).score,
    );
    expect(scores).toEqual([...scores].sort());
    expect(scores[0]).toBeLessThan(scores[3] ?? 0);
  });
});

describe("argon2id hasher", () => {
  const hasher = createPasswordHasher({
    params: ARGON2_MINIMUM,
    concurrency: 2,
    maxQueue: 8,
    random: systemRandom(),
  });

  it("PHC string with m=19456, t=2, p=1; verifies; needs no rehash", async () => {
    const hash = await hasher.hash("correct horse battery staple");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, "correct horse battery staple")).toBe(true);
    expect(await hasher.verify(hash, "correct horse battery stable")).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it("unicode is NFKC-normalised: composed, decomposed and fullwidth forms verify alike", async () => {
    const hash = await hasher.hash("Café ｐａｓｓ");
    expect(await hasher.verify(hash, "Cafe\u0301 pass")).toBe(true);
    expect(normalizePassword("ｐａｓｓ")).toBe("pass");
  });

  it("null, garbage and non-argon2 hashes verify false (after a dummy verify), never throw", async () => {
    expect(await hasher.verify(null, "anything")).toBe(false);
    expect(await hasher.verify("$argon2id$garbage", "anything")).toBe(false);
    expect(await hasher.verify("pbkdf2_sha256$1$x$y", "anything")).toBe(false);
  });

  it("needsRehash when parameters were raised", async () => {
    const stronger = createPasswordHasher({
      params: { ...ARGON2_MINIMUM, timeCost: 3 },
      concurrency: 1,
      maxQueue: 4,
      random: systemRandom(),
    });
    const old = await hasher.hash("some password here");
    expect(stronger.needsRehash(old)).toBe(true);
    expect(parseOptions(await stronger.hash("x")).timeCost).toBe(3);
    expect(stronger.needsRehash("not a hash")).toBe(true);
  });

  it("refuses parameters below the OWASP minimum", () => {
    expect(() =>
      createPasswordHasher({
        params: { ...ARGON2_MINIMUM, memoryCost: 4096 },
        concurrency: 1,
        maxQueue: 1,
        random: systemRandom(),
      }),
    ).toThrow(/OWASP/);
  });
});

describe("hashing concurrency", () => {
  it("leaves a libuv pool thread free for the database however the pool is sized", () => {
    // Threat: a wrong-password flood filling every pool thread, so signed-in pages wait on DuckDB.
    for (const threadPoolSize of [2, 4, 8, 64]) {
      for (const cores of [1, 2, 16]) {
        expect(hashConcurrency({ threadPoolSize, cores })).toBeLessThan(threadPoolSize);
      }
    }
  });

  it("leaves one core to the event loop and always runs at least one hash", () => {
    expect(hashConcurrency({ threadPoolSize: 4, cores: 2 })).toBe(1);
    expect(hashConcurrency({ threadPoolSize: 16, cores: 8 })).toBe(7);
    expect(hashConcurrency({ threadPoolSize: 4, cores: 16 })).toBe(3);
    expect(hashConcurrency({ threadPoolSize: 1, cores: 2 })).toBe(1);
    expect(hashConcurrency({ threadPoolSize: 4, cores: 1 })).toBe(1);
  });
});

describe("bounded semaphore", () => {
  it("runs `capacity` at once, queues `maxQueue`, refuses the rest with 503 + Retry-After", async () => {
    const gate = createSemaphore({ capacity: 2, maxQueue: 1 });
    const releases: Array<() => void> = [];
    const order: number[] = [];
    const task = (n: number) => () =>
      new Promise<number>((resolve) => {
        order.push(n);
        releases.push(() => resolve(n));
      });
    const running = [gate.run(task(1)), gate.run(task(2)), gate.run(task(3))];
    await Promise.resolve();
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(1);
    const refused = await gate.run(task(4)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(503);
    expect((refused as AppError).headers["Retry-After"]).toBe("2");
    releases.shift()?.();
    await running[0];
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([1, 2, 3]);
    for (const release of releases.splice(0)) release();
    expect(await Promise.all(running)).toEqual([1, 2, 3]);
    expect(gate.running).toBe(0);
  });

  it("a failing task frees its slot", async () => {
    const gate = createSemaphore({ capacity: 1, maxQueue: 0 });
    await expect(gate.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await gate.run(async () => 5)).toBe(5);
  });
});
