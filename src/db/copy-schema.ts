import type { Db, Queryable } from "./db.js";

/** db copy (copy.ts): the tables of both sides, read from the databases themselves, and the order to write them in. */

/** A copy that must not start (or was rolled back): the message is the whole story. */
export class CopyRefusedError extends Error {
  override name = "CopyRefusedError";
}

/** Kept by each side's own migrator, never copied. */
const MIGRATIONS_TABLE = "schema_migrations";

export interface TableShape {
  name: string;
  columns: string[];
  /** Columns of type JSON/JSONB: both drivers parse them, so they are written back as JSON text. */
  json: Set<string>;
  /** The single-column primary key the batches walk in order, if the table has one. */
  key: string | undefined;
}

export async function tableNames(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name).filter((name) => name !== MIGRATIONS_TABLE);
}

/** Both sides at one version have the same tables and columns; anything else is refused. */
export async function matchingTables(source: Db, target: Db): Promise<TableShape[]> {
  const [from, to] = await Promise.all([shapes(source), shapes(target)]);
  const differences: string[] = [];
  for (const name of new Set([...from.keys(), ...to.keys()])) {
    const a = from.get(name)?.columns;
    const b = to.get(name)?.columns;
    if (!a || !b) differences.push(`${name} exists only in the ${a ? "source" : "target"}`);
    else if ([...a].sort().join() !== [...b].sort().join()) {
      differences.push(
        `${name} has columns (${a.join(", ")}) in the source, (${b.join(", ")}) in the target`,
      );
    }
  }
  if (differences.length > 0) {
    throw new CopyRefusedError(`the two schemas differ: ${differences.join("; ")}`);
  }
  return [...from.values()];
}

export async function shapes(db: Db): Promise<Map<string, TableShape>> {
  const tables = new Set(await tableNames(db));
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const keys = await db.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
     JOIN information_schema.key_column_usage kcu
       ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
      AND kcu.table_name = tc.table_name
     WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()`,
  );
  const out = new Map<string, TableShape>();
  for (const name of tables) out.set(name, { name, columns: [], json: new Set(), key: undefined });
  for (const c of columns) {
    const shape = out.get(c.table_name);
    if (!shape) continue;
    shape.columns.push(c.column_name);
    if (/^jsonb?$/i.test(c.data_type)) shape.json.add(c.column_name);
  }
  const keyColumns = new Map<string, string[]>();
  for (const k of keys)
    keyColumns.set(k.table_name, [...(keyColumns.get(k.table_name) ?? []), k.column_name]);
  for (const [table, cols] of keyColumns) {
    const shape = out.get(table);
    if (shape && cols.length === 1) shape.key = cols[0];
  }
  return out;
}

/**
 * Parents before children, from the target's foreign keys (PostgreSQL
 * declares them; the DuckDB schema declares none, so any order is valid there).
 */
export async function insertOrder(
  target: Db,
  tables: readonly TableShape[],
): Promise<TableShape[]> {
  const parents = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  if (target.dialect === "postgres") {
    const edges = await target.query<{ child: string; parent: string }>(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
    );
    for (const e of edges) if (e.child !== e.parent) parents.get(e.child)?.add(e.parent);
  }
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const ordered: TableShape[] = [];
  while (ordered.length < tables.length) {
    const ready = [...parents].filter(
      ([name, deps]) => !done.has(name) && [...deps].every((p) => done.has(p) || !byName.has(p)),
    );
    if (ready.length === 0) throw new CopyRefusedError("the target's foreign keys form a cycle");
    for (const [name] of ready) {
      done.add(name);
      ordered.push(byName.get(name) as TableShape);
    }
  }
  return ordered;
}

/** Names come from the catalog, but are quoted anyway: a name is never spliced in raw. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
