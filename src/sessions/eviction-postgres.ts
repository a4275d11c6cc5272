import pg from "pg";
import type { Queryable } from "../db/db.js";
import type { ChannelEvents, EvictionChannel } from "./eviction.js";

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2000;

/**
 * Session evictions over PostgreSQL LISTEN/NOTIFY, for deployments without
 * Redis. NOTIFY goes through the application's own pool (one autocommit
 * statement: delivered at once). LISTEN needs a session that stays open, so
 * it gets a dedicated client outside the pool: a pooled client is handed to
 * other work between queries and may be closed when idle, and with it the
 * subscription. (A pooler in transaction mode, such as PgBouncer's, cannot
 * carry LISTEN at all: point DATABASE_URL at PostgreSQL itself, or use Redis.)
 */
export function postgresEvictionChannel(options: {
  /** A postgres:// URL (without the `schema` parameter). */
  url: string;
  /** A plain identifier of at most 63 characters (eviction-open.ts builds it). */
  channel: string;
  /** Where NOTIFY runs: the app's database. */
  db: Queryable;
  connectTimeoutMs?: number;
}): EvictionChannel {
  const { channel } = options;
  let closed = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = RETRY_FIRST_MS;

  const connect = async (events: ChannelEvents): Promise<void> => {
    retry = undefined;
    if (closed) return;
    const client = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // A silently dropped connection (a NAT timeout) is found by keepalive, not by a query.
      keepAlive: true,
    });
    let lost = false;
    const onLost = (error?: unknown) => {
      if (lost) return;
      lost = true;
      if (current === client) current = undefined;
      client.end().catch(() => {});
      if (closed) return;
      events.down(error);
      retry = setTimeout(() => void connect(events), delayMs);
      // A pending retry never keeps a process (the CLI) alive on its own.
      retry.unref();
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    };
    // 'error' (e.g. the server terminating the backend) is followed by 'end'; either one is the loss.
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (n) => {
      if (n.channel === channel) events.message(n.payload ?? "");
    });
    try {
      await client.connect();
      // The name is built from a checked schema name (eviction-open.ts), never from input.
      await client.query(`LISTEN "${channel}"`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (closed || lost) {
      await client.end().catch(() => {});
      return;
    }
    current = client;
    delayMs = RETRY_FIRST_MS;
    events.up();
  };

  return {
    transport: "postgres",
    name: channel,
    async publish(payload) {
      await options.db.execute("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    listen(events) {
      void connect(events);
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const client = current;
      current = undefined;
      await client?.end().catch(() => {});
    },
  };
}
