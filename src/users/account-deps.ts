import type { Logger } from "pino";
import { IDENTITIES_CASCADE } from "../auth/oauth/identities.js";
import type { Config } from "../config/env.js";
import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import type { Metrics } from "../monitoring/metrics.js";
import { createPasswordHasher } from "../passwords/hasher.js";
import { createPasswordPolicy } from "../passwords/policy.js";
import type { PasswordHasher, PasswordPolicy } from "../passwords/types.js";
import { type CleanupJob, createCleanupJob } from "../sessions/cleanup.js";
import { createSessionService } from "../sessions/service.js";
import type { SessionService } from "../sessions/types.js";
import { type AuthTokens, createAuthTokens } from "../tokens/tokens.js";
import { createLockouts, type Lockouts } from "./lockout.js";
import { createUsersRepository } from "./repository.js";
import type { UsersRepository } from "./user.js";

/** The account-related members of Deps, built together because sessions listen to user changes. */
export interface AccountDeps {
  users: UsersRepository;
  /** Per-address sign-in attempt counter and lock (login_attempts). */
  lockouts: Lockouts;
  passwords: PasswordHasher;
  passwordPolicy: PasswordPolicy;
  sessions: SessionService;
  tokens: AuthTokens;
  sessionCleanup: CleanupJob;
}

export function createAccountDeps(deps: {
  config: Config;
  db: Db;
  clock: Clock;
  random: Random;
  metrics: Metrics;
  logger: Logger;
}): AccountDeps {
  const { config, db, clock, random, metrics, logger } = deps;
  const s = config.security;
  const users = createUsersRepository({ db, clock, random });
  // Linked OAuth identities (and any stored provider tokens) go with the user.
  users.registerCascade(IDENTITIES_CASCADE);
  const lockouts = createLockouts({
    db,
    clock,
    secretKey: config.secretKey,
    policy: {
      maxAttempts: s.maxFailedLoginAttempts,
      lockoutMs: s.accountLockoutMinutes * 60_000,
    },
  });
  users.registerCascade(lockouts.cascade);
  const sessions = createSessionService({
    db,
    clock,
    random,
    metrics,
    users,
    idleTimeoutMinutes: s.sessionIdleTimeoutMinutes,
    maxAgeHours: s.sessionMaxAgeHours,
    cacheTtlSeconds: s.sessionCacheTtlSeconds,
  });
  const tokens = createAuthTokens({ clock, random });
  return {
    users,
    lockouts,
    passwords: createPasswordHasher({
      params: { memoryCost: s.argon2MemoryKib, timeCost: s.argon2TimeCost, parallelism: 1 },
      concurrency: s.passwordHashConcurrency,
      maxQueue: s.passwordHashMaxQueue,
      random,
    }),
    passwordPolicy: createPasswordPolicy({ minLength: s.passwordMinLength }),
    sessions,
    tokens,
    sessionCleanup: createCleanupJob({ db, clock, logger, sessions, tokens, lockouts }),
  };
}
