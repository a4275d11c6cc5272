import type { Queryable } from "../db/db.js";

/**
 * The account record and the repository port over it. Everything that reads
 * or changes a user goes through `UsersRepository` (deps.users), so the
 * cascade delete, the case-insensitive email rule and the cache invalidation
 * of signed-in sessions live in one place.
 */
export type UserRole = "user" | "admin";
export type UserStatus = "active" | "deactivated";

export const USER_ROLES: readonly UserRole[] = ["user", "admin"];
export const USER_STATUSES: readonly UserStatus[] = ["active", "deactivated"];

export interface User {
  /** App-generated (UUIDv7), never derived from the email. */
  id: string;
  /** As typed at registration, trimmed; compared without regard to case. */
  email: string;
  firstName: string;
  lastName: string;
  role: UserRole;
  status: UserStatus;
  emailVerifiedAt: Date | null;
  /** argon2id PHC string; null for accounts that only sign in with OAuth. */
  passwordHash: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}

export interface NewUser {
  email: string;
  firstName: string;
  lastName: string;
  /** Already hashed (deps.passwords.hash); null for OAuth-only accounts. */
  passwordHash: string | null;
  role?: UserRole;
  status?: UserStatus;
  emailVerifiedAt?: Date | null;
}

/** Expected failure as a value: the address belongs to another account (any case). */
export type EmailWriteResult = { ok: true; user: User } | { ok: false; reason: "email_taken" };

export interface ListUsersOptions {
  /** Substring of email or name, case-insensitive. */
  search?: string;
  limit?: number;
  offset?: number;
}

/**
 * Every method takes an optional `tx` so a caller can make a user change and
 * its consequences (a token, an outbox email, an audit row) one transaction.
 * Without `tx` the statement runs on deps.db on its own.
 */
export interface UsersRepository {
  /** Inserts a user; `email_taken` (not an exception) when the address exists in any case. */
  create(input: NewUser, tx?: Queryable): Promise<EmailWriteResult>;
  findById(id: string, tx?: Queryable): Promise<User | undefined>;
  /** Throws AppError NOT_FOUND. */
  getByIdOrThrow(id: string, tx?: Queryable): Promise<User>;
  /** Looks the address up trimmed and case-insensitively (NFKC-normalised). */
  findByEmail(email: string, tx?: Queryable): Promise<User | undefined>;
  list(options?: ListUsersOptions, tx?: Queryable): Promise<User[]>;
  count(options?: Pick<ListUsersOptions, "search">, tx?: Queryable): Promise<number>;

  updateProfile(
    id: string,
    names: { firstName: string; lastName: string },
    tx?: Queryable,
  ): Promise<User | undefined>;
  /** Stores a new hash. Does not revoke sessions: callers decide (change keeps this one, reset keeps none). */
  setPasswordHash(id: string, passwordHash: string | null, tx?: Queryable): Promise<void>;
  markEmailVerified(id: string, at: Date, tx?: Queryable): Promise<void>;
  /** Changes the address (and clears email_verified_at unless `verifiedAt` is given). */
  changeEmail(
    id: string,
    email: string,
    options?: { verifiedAt?: Date | null },
    tx?: Queryable,
  ): Promise<EmailWriteResult>;
  setRole(id: string, role: UserRole, tx?: Queryable): Promise<void>;
  setStatus(id: string, status: UserStatus, tx?: Queryable): Promise<void>;

  /** Sets last_login_at (the lockout counter lives in login_attempts: src/users/lockout.ts). */
  recordLoginSuccess(id: string, at: Date, tx?: Queryable): Promise<void>;

  /**
   * Removes the user and every row that belongs to them (the `userRows` the
   * repository was built with: sessions, tokens, queued mail, 2FA, OAuth
   * identities, the lockout row) in ONE transaction; audit rows are
   * anonymised, not deleted. False when no such user. With `tx` it joins the
   * caller's transaction (the admin's delete writes its audit record and the
   * farewell mail in the same one).
   */
  deleteUser(id: string, tx?: Queryable): Promise<boolean>;
  /** In-process notification after any change to a user (sessions drop their cached copy). */
  onChange(listener: (userId: string) => void): void;
}

/** Display name for headers and mails: "First Last", or the email when both are empty. */
export function displayName(user: Pick<User, "firstName" | "lastName" | "email">): string {
  const name = `${user.firstName} ${user.lastName}`.trim();
  return name === "" ? user.email : name;
}
