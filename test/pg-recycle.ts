import type pg from "pg";
import { migrationsDigest } from "./db-template.js";
import { adminPool, createPgSchema, type PgSchema } from "./pg.js";

/**
 * Migrated PostgreSQL schemas handed from one closed test app to the next in
 * the same worker, emptied, instead of a new schema migrated per app.
 *
 * Why: creating and migrating a schema and dropping it took 160 ms on a quiet
 * server (the DDL itself: a relation file per table and index), several times
 * that on a busy one, for each of the hundreds of PostgreSQL apps of a run.
 * Emptying one with TRUNCATE ... RESTART IDENTITY takes a fraction of it.
 *
 * A recycled schema is as fresh as a new one: TRUNCATE gives every table new
 * storage (no dead rows, no stale statistics), identity columns and every
 * sequence restart, and the rows the migrations themselves wrote (schema_migrations,
 * audit_chain's head row) are put back as they were right after migrating. A schema whose catalog differs
 * from what the migrations made (a test altered a table, dropped an index,
 * added a function, rewrote schema_migrations) is dropped, never reused: the
 * catalog is compared with its fingerprint taken right after migrating.
 *
 * The spare schemas of a worker live until the run's global teardown drops
 * every schema whose name starts with the run's prefix (global-setup.ts).
 */
const SPARES_PER_SERVER = 3;

interface Spare {
  schema: PgSchema;
  fingerprint: string;
  seed: Seed;
  /** The migrations folder it was migrated from: a spare from older files is dropped. */
  digest: string;
}

/** Per worker process, per server URL; only ever holds emptied, verified schemas. */
const spares = new Map<string, Spare[]>();

/**
 * Everything migrations create in a schema, as one digest: relations (tables,
 * indexes, sequences, views) with their kind and row-security flag, columns
 * with type, default and nullability, constraints, index definitions,
 * triggers, functions, types and enum labels, and the applied migrations.
 */
const FINGERPRINT = `
SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) AS fingerprint FROM (
  SELECT 'rel ' || relname || ' ' || relkind::text || ' ' || relrowsecurity::text AS item
    FROM pg_class WHERE relnamespace = $1::text::regnamespace
  UNION ALL SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' '
      || coalesce(column_default, '-') || ' ' || is_nullable
    FROM information_schema.columns WHERE table_schema = $1::text
  UNION ALL SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = $1::text::regnamespace
  UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = $1::text
  UNION ALL SELECT 'trg ' || tgname || ' ' || tgrelid::regclass::text
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = $1::text::regnamespace
  UNION ALL SELECT 'fn ' || proname || ' ' || md5(prosrc) FROM pg_proc WHERE pronamespace = $1::text::regnamespace
  UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = $1::text::regnamespace
  UNION ALL SELECT 'enum ' || t.typname || ' ' || e.enumlabel
    FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typnamespace = $1::text::regnamespace
  UNION ALL SELECT 'policy ' || polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE c.relnamespace = $1::text::regnamespace
) AS catalog`;

async function fingerprintOf(pool: pg.Pool, schema: string): Promise<string> {
  const catalog = await pool.query<{ fingerprint: string }>(FINGERPRINT, [schema]);
  const migrations = await pool.query<{ version: number; checksum: string }>(
    `SELECT version, checksum FROM "${schema}".schema_migrations ORDER BY version`,
  );
  return `${catalog.rows[0]?.fingerprint} ${JSON.stringify(migrations.rows)}`;
}

/** The rows each table held right after migrating (JSON), for the tables that had any. */
type Seed = ReadonlyMap<string, string>;

async function seedOf(pool: pg.Pool, schema: string): Promise<Seed> {
  const tables = await pool.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
     WHERE relnamespace = $1::text::regnamespace AND relkind IN ('r', 'p') AND relname <> 'schema_migrations'`,
    [schema],
  );
  if (tables.rows.length === 0) return new Map();
  const rows = await pool.query<{ name: string; rows: string | null }>(
    tables.rows
      .map(
        ({ name }) =>
          `SELECT '${name}' AS name, (SELECT json_agg(r)::text FROM "${schema}"."${name}" r) AS rows`,
      )
      .join(" UNION ALL "),
  );
  return new Map(rows.rows.flatMap((r) => (r.rows === null ? [] : [[r.name, r.rows] as const])));
}

export interface RecycledSchema {
  schema: PgSchema;
  /** Records the catalog to compare with on release, once the app's database is migrated. */
  migrated(): Promise<void>;
  /**
   * Empties the schema and keeps it for the next app of this worker if its
   * catalog is unchanged; drops it otherwise. Called after the app's Db is closed.
   */
  release(): Promise<void>;
}

/**
 * A schema for one test app: an emptied, migrated one left by an earlier app
 * of this worker, or a new, empty one named with `prefix` (the run's, see
 * global-setup.ts). Without a prefix nothing is kept: every schema is dropped.
 */
export async function takePgSchema(
  baseUrl: string,
  prefix: string | undefined,
): Promise<RecycledSchema> {
  const admin = adminPool(baseUrl);
  const pool = spares.get(baseUrl) ?? [];
  spares.set(baseUrl, pool);
  const digest = await migrationsDigest("postgres");
  let spare = pool.pop();
  while (spare && spare.digest !== digest) {
    await spare.schema.drop();
    spare = pool.pop();
  }
  const schema = spare?.schema ?? (await createPgSchema(baseUrl, prefix));
  let fingerprint = spare?.fingerprint;
  let seed = spare?.seed;
  return {
    schema,
    async migrated() {
      if (prefix === undefined || spare) return;
      seed = await seedOf(admin, schema.schema);
      fingerprint = await fingerprintOf(admin, schema.schema);
    },
    async release() {
      let reusable = false;
      if (fingerprint !== undefined && seed && pool.length < SPARES_PER_SERVER) {
        try {
          if ((await fingerprintOf(admin, schema.schema)) === fingerprint) {
            await emptySchema(admin, schema.schema, seed);
            reusable = true;
          }
        } catch {
          // A lock that does not come, a schema broken beyond reading: not worth reusing.
        }
      }
      if (reusable && fingerprint !== undefined && seed) {
        pool.push({ schema, fingerprint, seed, digest });
      } else await schema.drop();
    },
  };
}

/** Every row gone, every sequence back at its start, then the migrations' own rows back. */
async function emptySchema(admin: pg.Pool, schema: string, seed: Seed): Promise<void> {
  const relations = await admin.query<{ name: string; kind: string }>(
    `SELECT relname AS name, relkind AS kind FROM pg_class
     WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'p', 'S')
       AND relname <> 'schema_migrations'`,
    [schema],
  );
  const name = (r: { name: string }) => `"${schema}"."${r.name}"`;
  const tables = relations.rows.filter((r) => r.kind !== "S").map(name);
  const sequences = relations.rows.filter((r) => r.kind === "S").map(name);
  const client = await admin.connect();
  try {
    await client.query("BEGIN");
    // A connection the test left open would make TRUNCATE wait forever: give up instead.
    await client.query("SET LOCAL lock_timeout = '5s'");
    if (tables.length > 0) await client.query(`TRUNCATE ${tables.join(", ")} RESTART IDENTITY`);
    for (const sequence of sequences) await client.query(`ALTER SEQUENCE ${sequence} RESTART`);
    for (const [table, rows] of seed) {
      const target = `"${schema}"."${table}"`;
      await client.query(
        `INSERT INTO ${target} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${target}, $1::json)`,
        [rows],
      );
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
