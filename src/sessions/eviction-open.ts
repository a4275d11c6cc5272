import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { DatabaseTarget } from "../config/env.js";
import type { Queryable } from "../db/db.js";
import { sha256Hex } from "../lib/crypto.js";
import type { Random } from "../lib/random.js";
import type { Metrics } from "../monitoring/metrics.js";
import {
  createSessionEvictions,
  type EvictionChannel,
  localOnlyChannel,
  type SessionEvictions,
} from "./eviction.js";
import { redisEvictionChannel } from "./eviction-redis.js";

const PG_IDENTIFIER_MAX = 63;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Picks the eviction transport (bootstrap.ts calls it): Redis pub/sub when the
 * composition root opened a Redis client (REDIS_URL), else PostgreSQL
 * LISTEN/NOTIFY when the sessions live in PostgreSQL, else none (DuckDB: one
 * process, whose own revokes already clear its cache).
 *
 * The channel is named after the PostgreSQL schema the sessions live in:
 * instances sharing a sessions table share the channel, and deployments (or
 * test runs) in other schemas of the same server or Redis never hear each other.
 * On Redis it also starts with REDIS_KEY_PREFIX: two deployments sharing one
 * Redis, each with its own database (both in schema "public"), would
 * otherwise drop each other's cached sessions. The default prefix "bastion"
 * gives the channel it always had, so a rolling upgrade keeps hearing itself.
 */
export async function openSessionEvictions(options: {
  target: DatabaseTarget;
  redis?: Redis;
  /** REDIS_KEY_PREFIX, which leads the Redis channel name. */
  redisKeyPrefix: string;
  db: Queryable;
  logger: Logger;
  metrics: Metrics;
  random: Random;
}): Promise<SessionEvictions> {
  const pgTarget = options.target.kind === "postgres" ? splitSchema(options.target) : undefined;
  let channel: EvictionChannel = localOnlyChannel;
  if (options.redis) {
    const suffix = pgTarget?.schema ? `:${pgTarget.schema}` : "";
    channel = redisEvictionChannel({
      redis: options.redis,
      channel: `${options.redisKeyPrefix}:session-evict${suffix}`,
    });
  } else if (pgTarget) {
    // Loaded only when chosen, as db/open.ts loads the driver it needs.
    const { postgresEvictionChannel } = await import("./eviction-postgres.js");
    channel = postgresEvictionChannel({
      url: pgTarget.url,
      channel: postgresChannelName(pgTarget.schema),
      db: options.db,
    });
  }
  return createSessionEvictions({ channel, ...options });
}

/** A NOTIFY channel is an identifier: at most 63 bytes, or pg_notify refuses it while LISTEN truncates it. */
export function postgresChannelName(schema: string | undefined): string {
  const base = "bastion_session_evict";
  if (!schema) return base;
  const plain = `${base}_${schema}`;
  return plain.length <= PG_IDENTIFIER_MAX && SCHEMA_NAME.test(schema)
    ? plain
    : `${base}_${sha256Hex(schema).slice(0, 32)}`;
}

/** The URL for the LISTEN client (pg does not know `?schema=`) and the schema the sessions live in. */
function splitSchema(target: { url: string; schema?: string }): { url: string; schema?: string } {
  const url = new URL(target.url);
  const schema = target.schema ?? url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  return { url: url.toString(), schema };
}
