import type { Queryable, SqlValue } from "../../db/db.js";
import type { UserRows } from "../../users/user-rows.js";
import type { ProviderId } from "./types.js";

/**
 * Queries over user_identities (migration 0006). An identity is found by
 * (provider, subject) and nothing else: never by email.
 */
export interface Identity {
  id: string;
  userId: string;
  provider: ProviderId;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** True when encrypted provider tokens are stored (OAUTH_STORE_TOKENS). */
  hasTokens: boolean;
}

/** Ciphertexts for the token columns; all null unless OAUTH_STORE_TOKENS=true. */
export interface StoredTokens {
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  tokenKeyId: string | null;
}

export const NO_TOKENS: StoredTokens = {
  accessTokenEnc: null,
  refreshTokenEnc: null,
  tokenKeyId: null,
};

interface IdentityRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  provider: string;
  subject: string;
  email: string | null;
  email_verified: boolean;
  created_at: Date;
  last_used_at: Date | null;
  has_tokens: boolean;
}

const COLUMNS = `id, user_id, provider, subject, email, email_verified, created_at, last_used_at,
  (access_token_enc IS NOT NULL) AS has_tokens`;

function fromRow(row: IdentityRow): Identity {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider as ProviderId,
    subject: row.subject,
    email: row.email,
    emailVerified: row.email_verified === true,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    hasTokens: row.has_tokens === true,
  };
}

export async function findIdentity(
  q: Queryable,
  provider: ProviderId,
  subject: string,
): Promise<Identity | undefined> {
  const row = await q.one<IdentityRow>(
    `SELECT ${COLUMNS} FROM user_identities WHERE provider = $1 AND subject = $2`,
    [provider, subject],
  );
  return row ? fromRow(row) : undefined;
}

export async function listIdentities(q: Queryable, userId: string): Promise<Identity[]> {
  const rows = await q.query<IdentityRow>(
    `SELECT ${COLUMNS} FROM user_identities WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows.map(fromRow);
}

/** A link about to be stored: what an Identity says of itself, its time, and its tokens. */
export interface NewIdentity
  extends Pick<Identity, "id" | "userId" | "provider" | "subject" | "email" | "emailVerified"> {
  now: Date;
  tokens: StoredTokens;
}

/**
 * Inserts a link. ON CONFLICT DO NOTHING instead of catching a unique
 * violation: PostgreSQL would abort the surrounding transaction, and the
 * caller wants to answer "already linked" inside it. False = one of the
 * unique indexes, (provider, subject) or (user_id, provider), said no.
 */
export async function insertIdentity(q: Queryable, input: NewIdentity): Promise<boolean> {
  const n = await q.execute(
    `INSERT INTO user_identities (id, user_id, provider, subject, email, email_verified,
       created_at, last_used_at, access_token_enc, refresh_token_enc, token_key_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10)
     ON CONFLICT DO NOTHING`,
    [input.id, input.userId, input.provider, input.subject, ...providerState(input)],
  );
  return n === 1;
}

type ProviderState = Pick<NewIdentity, "email" | "emailVerified" | "now" | "tokens">;

/** What the provider last said and when, with the stored tokens: the parameters insert and touch both write, in this order. */
function providerState(input: ProviderState): SqlValue[] {
  const { tokens } = input;
  return [
    input.email,
    input.emailVerified,
    input.now,
    tokens.accessTokenEnc,
    tokens.refreshTokenEnc,
    tokens.tokenKeyId,
  ];
}

/** After a sign-in: what the provider says now, when, and the (re-encrypted or cleared) tokens. */
export async function touchIdentity(q: Queryable, id: string, input: ProviderState): Promise<void> {
  await q.execute(
    `UPDATE user_identities SET email = $1, email_verified = $2, last_used_at = $3,
       access_token_enc = $4, refresh_token_enc = $5, token_key_id = $6
     WHERE id = $7`,
    [...providerState(input), id],
  );
}

export async function deleteIdentity(
  q: Queryable,
  userId: string,
  provider: ProviderId,
): Promise<boolean> {
  const n = await q.execute("DELETE FROM user_identities WHERE user_id = $1 AND provider = $2", [
    userId,
    provider,
  ]);
  return n > 0;
}

/** deleteUser removes a user's identities (and their stored tokens) in its transaction. */
export const IDENTITY_ROWS: UserRows = { table: "user_identities", userIdColumn: "user_id" };
