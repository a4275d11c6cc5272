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
 * Emptying one (emptySchema) takes a fraction of it.
 *
 * A recycled schema holds what a new one does: no row a test wrote (a few
 * rows DELETEd, a big table TRUNCATEd so no pile of dead rows stays behind),
 * every sequence and identity column back at its start, and the rows the
 * migrations themselves wrote (schema_migrations, audit_chain's head row) put
 * back as they were right after migrating. A schema whose catalog differs from
 * what the migrations made (a test altered a table, dropped an index, added a
 * function, rewrote schema_migrations) is dropped, never reused: the catalog is
 * compared with its fingerprint taken right after migrating (read from
 * pg_catalog: information_schema.columns alone took 28 ms).
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
  UNION ALL SELECT 'col ' || c.relname || '.' || a.attname || ' '
      || format_type(a.atttypid, a.atttypmod) || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
      || ' ' || a.attnotnull::text || ' ' || a.attidentity::text || ' ' || a.attgenerated::text
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = $1::text::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
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
  let released: Promise<void> | undefined;
  async function releaseOnce(): Promise<void> {
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
  }
  return {
    schema,
    async migrated() {
      if (prefix === undefined || spare) return;
      seed = await seedOf(admin, schema.schema);
      fingerprint = await fingerprintOf(admin, schema.schema);
    },
    release() {
      // Once only: an app closed twice (by the test, then by its afterEach) must not
      // hand the same schema to two later apps.
      released ??= releaseOnce();
      return released;
    },
  };
}

/** Above this many rows in a table, TRUNCATE: DELETE would leave that many dead rows behind. */
const DELETE_AT_MOST = 1000;

/**
 * Every row gone, every sequence back at its start, then the migrations' own
 * rows back. A test's few rows are DELETEd, children before parents (7 ms,
 * where TRUNCATE, which makes new storage for every table and index, took 60);
 * a table holding more (a 100k-row seed) or foreign keys in a cycle get
 * TRUNCATE ... RESTART IDENTITY, so no table keeps a pile of dead rows.
 */
async function emptySchema(admin: pg.Pool, schema: string, seed: Seed): Promise<void> {
  const relations = await admin.query<{ name: string; kind: string }>(
    `SELECT relname AS name, relkind AS kind FROM pg_class
     WHERE relnamespace = $1::text::regnamespace AND relkind IN ('r', 'p', 'S')
       AND relname <> 'schema_migrations'`,
    [schema],
  );
  const quoted = (table: string) => `"${schema}"."${table}"`;
  const tables = relations.rows.filter((r) => r.kind !== "S").map((r) => r.name);
  const sequences = relations.rows.filter((r) => r.kind === "S").map((r) => quoted(r.name));
  const order = await deleteOrder(admin, schema, tables);
  const client = await admin.connect();
  try {
    await client.query("BEGIN");
    // A connection the test left open would make this wait forever: give up instead.
    await client.query("SET LOCAL lock_timeout = '5s'");
    if (order) {
      for (const table of order) await client.query(`DELETE FROM ${quoted(table)}`);
    } else if (tables.length > 0) {
      await client.query(`TRUNCATE ${tables.map(quoted).join(", ")} RESTART IDENTITY`);
    }
    for (const sequence of sequences) await client.query(`ALTER SEQUENCE ${sequence} RESTART`);
    for (const [table, rows] of seed) {
      const target = quoted(table);
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

/**
 * The tables holding rows, each after every table whose foreign keys point at
 * it; undefined when TRUNCATE is the way (a big table, or keys in a cycle).
 */
async function deleteOrder(
  admin: pg.Pool,
  schema: string,
  tables: string[],
): Promise<string[] | undefined> {
  if (tables.length === 0) return [];
  const sizes = await admin.query<{ name: string; n: string }>(
    tables
      .map(
        (t) =>
          `SELECT '${t}' AS name, (SELECT count(*) FROM (SELECT 1 FROM "${schema}"."${t}" LIMIT ${DELETE_AT_MOST + 1}) r) AS n`,
      )
      .join(" UNION ALL "),
  );
  if (sizes.rows.some((r) => Number(r.n) > DELETE_AT_MOST)) return undefined;
  const keys = await admin.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     WHERE k.contype = 'f' AND k.connamespace = $1::text::regnamespace AND k.conrelid <> k.confrelid`,
    [schema],
  );
  // Children first: a table is deleted once no remaining table refers to it.
  const remaining = new Set(sizes.rows.filter((r) => Number(r.n) > 0).map((r) => r.name));
  const order: string[] = [];
  while (remaining.size > 0) {
    const next = [...remaining].filter(
      (t) => !keys.rows.some((k) => k.parent === t && remaining.has(k.child)),
    );
    if (next.length === 0) return undefined;
    for (const t of next) {
      order.push(t);
      remaining.delete(t);
    }
  }
  return order;
}
