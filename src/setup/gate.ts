import type { Clock } from "../lib/clock.js";
import { sha256Hex, timingSafeEqual } from "../lib/crypto.js";
import type { Random } from "../lib/random.js";

/** 32 bytes = 256 bits from the CSPRNG: far beyond guessing, even with no rate limit at all. */
export const SETUP_TOKEN_BYTES = 32;
/** How long the link logged at start works. After that: restart for a new one, or use the CLI. */
export const SETUP_TOKEN_TTL_MS = 60 * 60_000;
/** What random.token(32) gives: 43 base64url characters. Anything else is refused unhashed. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A token held by one /setup submission while it creates the admin. */
export interface SetupClaim {
  /** The admin exists: the token is spent for good. */
  consume(): void;
  /** Nothing was created (a fixable refusal): the same link works again. */
  release(): void;
}

/**
 * The one-time first-admin token of this process (deps.setup). Only its
 * SHA-256 is kept: a heap dump or a debugger shows nothing that opens
 * /setup. It lives in memory, per instance: with several instances each
 * logs its own link at start, and any one of them creates the admin (the
 * others' links then answer 404, because an admin exists).
 */
export interface SetupGate {
  /** Draws a fresh token (replacing any earlier one) and returns it once, with its expiry. */
  open(): { token: string; expiresAt: Date };
  /** Whether a token was issued and is neither spent, expired nor closed. Cheap: no hashing. */
  isOpen(): boolean;
  /** When the current token stops working; undefined when there is none. */
  expiresAt(): Date | undefined;
  /** Whether `token` is the current, unexpired, unclaimed token. */
  accepts(token: unknown): token is string;
  /**
   * Takes the token for one submission, synchronously: of two requests with
   * the same token, exactly one gets a claim; the other sees it as taken (a
   * replay) until the first releases it.
   */
  claim(token: unknown): SetupClaim | undefined;
  /** An admin exists: forget the token, so /setup is 404 without asking the database again. */
  close(): void;
}

interface Issued {
  hash: string;
  expiresAt: Date;
  claimed: boolean;
}

export function createSetupGate(deps: { clock: Clock; random: Random }): SetupGate {
  let current: Issued | undefined;

  /** The issued token if `token` is it and it has not expired; an expired token is dropped. */
  function match(token: unknown): Issued | undefined {
    const issued = current;
    if (issued === undefined || typeof token !== "string" || !TOKEN_SHAPE.test(token)) {
      return undefined;
    }
    if (deps.clock.now().getTime() >= issued.expiresAt.getTime()) {
      current = undefined;
      return undefined;
    }
    return timingSafeEqual(sha256Hex(token), issued.hash) ? issued : undefined;
  }

  return {
    open() {
      const token = deps.random.token(SETUP_TOKEN_BYTES);
      const expiresAt = new Date(deps.clock.now().getTime() + SETUP_TOKEN_TTL_MS);
      current = { hash: sha256Hex(token), expiresAt, claimed: false };
      return { token, expiresAt };
    },
    isOpen() {
      if (current === undefined) return false;
      if (deps.clock.now().getTime() < current.expiresAt.getTime()) return true;
      current = undefined;
      return false;
    },
    expiresAt() {
      return current?.expiresAt;
    },
    accepts(token): token is string {
      const issued = match(token);
      return issued !== undefined && !issued.claimed;
    },
    claim(token) {
      const issued = match(token);
      if (issued === undefined || issued.claimed) return undefined;
      // Check and set with no await in between: the event loop runs no other request here.
      issued.claimed = true;
      return {
        consume() {
          if (current === issued) current = undefined;
        },
        release() {
          issued.claimed = false;
        },
      };
    },
    close() {
      current = undefined;
    },
  };
}
