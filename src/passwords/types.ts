/**
 * Public API of the password capability (deps.passwords). Hashing is
 * argon2id via @node-rs/argon2 (async, off the event loop), bounded by a
 * semaphore sized to the libuv thread pool and a bounded wait queue.
 */
export interface PasswordHasher {
  /**
   * PHC string of `password` (NFKC-normalised first). Throws AppError
   * SERVICE_UNAVAILABLE (503 + Retry-After) when the hashing queue is full.
   * Callers check the policy first: an over-long password must never reach this.
   */
  hash(password: string): Promise<string>;
  /**
   * Whether `password` matches `hash`. A null/undefined/garbage hash runs a
   * dummy verify with the current parameters and returns false, so an
   * unknown email or an OAuth-only account costs the same time as a wrong password.
   */
  verify(hash: string | null | undefined, password: string): Promise<boolean>;
  /** Whether `hash` was made with other (weaker or different) parameters than the configured ones. */
  needsRehash(hash: string): boolean;
  /** For /readyz and metrics: hashes running and waiting right now. */
  load(): { running: number; queued: number; capacity: number; maxQueue: number };
}

export interface Argon2Params {
  /** KiB; OWASP minimum 19456. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** 0 (very weak) .. 4 (strong), shown as a meter; advice only, never a rule. */
export type PasswordScore = 0 | 1 | 2 | 3 | 4;

export interface PasswordCheck {
  ok: boolean;
  /** Field error for the form, when not ok. */
  error?: string;
  score: PasswordScore;
  /** One short sentence for the form ("Longer is stronger: add a few words."). */
  hint: string;
}

export interface PasswordPolicyInput {
  password: string;
  /** The account's email: a password containing its local part (>= 3 chars) is refused. */
  email?: string;
  /** Other personal words to refuse (first/last name), each >= 3 chars to count. */
  personal?: readonly string[];
}

/** NIST SP 800-63B / ASVS V2.1: length, blocklist, context words; no composition rules. */
export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
  check(input: PasswordPolicyInput): PasswordCheck;
}

export const PASSWORD_MAX_LENGTH = 256;
