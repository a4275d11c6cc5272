import { hash as argon2Hash, verify as argon2Verify, parseOptions } from "@node-rs/argon2";
import type { Random } from "../lib/random.js";
import { createSemaphore } from "./semaphore.js";
import type { Argon2Params, PasswordHasher } from "./types.js";

/** OWASP Password Storage Cheat Sheet minimum for argon2id; config may only raise these. */
export const ARGON2_MINIMUM: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// @node-rs/argon2 declares these as `const enum`s, which isolatedModules cannot inline.
const ARGON2ID = 2;
const VERSION_0X13 = 1;
const OUTPUT_BYTES = 32;

/**
 * Unicode passwords are NFKC-normalised before hashing and verifying (NIST SP
 * 800-63B 5.1.1.2), so the same password typed on two keyboards (composed vs
 * decomposed accents, fullwidth forms from an IME) verifies the same.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/**
 * How many hashes may run at once, given the libuv thread pool and the CPU.
 *
 * Why not the whole pool: DuckDB's driver, `fs` and `dns.lookup` queue on the
 * same pool. With every thread busy on a ~15 ms argon2 job, each DuckDB step
 * of a signed-in page (a prepare, a run, a fetch: separate pool trips) waits
 * behind a hash, and a wrong-password flood slows every page. So one thread
 * is always left for them.
 *
 * Why one core fewer than the machine has: argon2 is CPU-bound, so hashes
 * beyond the core count only time-slice with each other (no more hashes per
 * second, measured here: 2 cores, 2 or 4 at once give the same rate), and
 * with every core hashing, the event loop waits for CPU: in a wrong-password
 * flood on 2 cores, a signed-in page's p99 rose 2.1x with 2 hashes at once
 * (bench, flood scenario). One core is left to the pages; a login waits in
 * the queue instead, which is where a flood's cost belongs.
 */
export function hashConcurrency(options: { threadPoolSize: number; cores: number }): number {
  const { threadPoolSize, cores } = options;
  return Math.max(1, Math.min(threadPoolSize - 1, cores - 1));
}

export interface PasswordHasherOptions {
  params: Argon2Params;
  /** Hashes at once: see hashConcurrency (below the libuv pool size, one core left free). */
  concurrency: number;
  /** Waiting hashes beyond `concurrency` before answering 503 (PASSWORD_HASH_MAX_QUEUE). */
  maxQueue: number;
  random: Random;
}

export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const params = { ...options.params };
  if (
    params.memoryCost < ARGON2_MINIMUM.memoryCost ||
    params.timeCost < ARGON2_MINIMUM.timeCost ||
    params.parallelism < ARGON2_MINIMUM.parallelism
  ) {
    throw new Error("argon2 parameters below the OWASP minimum (m=19456, t=2, p=1)");
  }
  const argonOptions = {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    outputLen: OUTPUT_BYTES,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  const gate = createSemaphore({ capacity: options.concurrency, maxQueue: options.maxQueue });

  // Verified against when there is no real hash (unknown email, OAuth-only
  // account, locked account), so those answers cost one full argon2 verify
  // with the same parameters as a real one: timing reveals nothing (the trick
  // of Django's ModelBackend, which hashes a dummy password for unknown users).
  // Computed once, eagerly, so the first unknown-email login is not slower.
  const dummyHash = gate.run(() =>
    argon2Hash(`dummy:${Buffer.from(options.random.bytes(16)).toString("hex")}`, argonOptions),
  );
  // A rejection here would surface on first use; never as an unhandled rejection.
  dummyHash.catch(() => {});

  const looksLikeArgon2 = (hash: string | null | undefined): hash is string =>
    typeof hash === "string" && hash.startsWith("$argon2");

  return {
    hash(password) {
      return gate.run(() => argon2Hash(normalizePassword(password), argonOptions));
    },

    async verify(hash, password) {
      const real = looksLikeArgon2(hash);
      const target = real ? hash : await dummyHash;
      const ok = await gate.run(async () => {
        try {
          return await argon2Verify(target, normalizePassword(password));
        } catch {
          return false; // a corrupt stored hash is a failed login, not a 500
        }
      });
      return real && ok;
    },

    needsRehash(hash) {
      try {
        const parsed = parseOptions(hash);
        return (
          parsed.algorithm !== ARGON2ID ||
          parsed.version !== VERSION_0X13 ||
          parsed.memoryCost !== params.memoryCost ||
          parsed.timeCost !== params.timeCost ||
          parsed.parallelism !== params.parallelism ||
          parsed.outputLen !== OUTPUT_BYTES
        );
      } catch {
        return true;
      }
    },

    load() {
      return {
        running: gate.running,
        queued: gate.queued,
        capacity: options.concurrency,
        maxQueue: options.maxQueue,
      };
    },
  };
}
