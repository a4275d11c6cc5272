import { readdirSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { createPgSchema } from "../../test/pg.js";
import type { Db } from "./db.js";
import { openDuckDb } from "./duckdb.js";
import { createMigrator } from "./migrate.js";
import { openPostgres } from "./postgres.js";

describe("migration folders parity", () => {
  const versions = (dialect: string) =>
    readdirSync(new URL(`../../migrations/${dialect}/`, import.meta.url))
      .filter((f) => f.endsWith(".sql"))
      .sort();

  it("both dialect folders hold the same version numbers and names", () => {
    expect(versions("duckdb").length).toBeGreaterThan(0);
    expect(versions("duckdb")).toEqual(versions("postgres"));
  });

  it.skipIf(!inject("pgUrl"))(
    "both folders produce the same tables, columns, type families and indexes",
    async () => {
      const schema = await createPgSchema(inject("pgUrl") as string);
      const duck = await openDuckDb({ path: ":memory:", threads: 1 });
      const pg = await openPostgres({ url: schema.url, poolMax: 2 });
      try {
        await createMigrator(duck).up();
        await createMigrator(pg).up();
        const [duckShape, pgShape] = await Promise.all([shape(duck), shape(pg)]);
        expect(duckShape.columns.length).toBeGreaterThan(0);
        expect(duckShape).toEqual(pgShape);
      } finally {
        await duck.close();
        await pg.close();
        await schema.drop();
      }
    },
  );
});

/**
 * Engine-neutral description of a schema. Types are compared by family:
 * DuckDB VARCHAR and Postgres text are both "text", JSON and JSONB both
 * "json", TIMESTAMP WITH TIME ZONE "timestamptz", integer widths "integer".
 */
async function shape(db: Db) {
  const columns = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name",
  );
  const indexes =
    db.dialect === "duckdb"
      ? await db.query<{ name: string }>(
          "SELECT index_name AS name FROM duckdb_indexes() WHERE schema_name = current_schema() ORDER BY 1",
        )
      : await db.query<{ name: string }>(
          "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY 1",
        );
  return {
    columns: columns.map(
      (c) =>
        `${c.table_name}.${c.column_name} ${typeFamily(c.data_type)}${c.is_nullable === "NO" ? " not null" : ""}`,
    ),
    indexes: indexes.map((i) => i.name),
  };
}

function typeFamily(dataType: string): string {
  const t = dataType.toLowerCase();
  if (/^(text|varchar|character varying)/.test(t)) return "text";
  if (/^(smallint|integer|bigint|int\d?|hugeint)$/.test(t)) return "integer";
  if (/^(double|double precision|real|float)$/.test(t)) return "double";
  if (/^(json|jsonb)$/.test(t)) return "json";
  if (t === "timestamp with time zone") return "timestamptz";
  if (/^(timestamp|timestamp without time zone)$/.test(t)) return "timestamp";
  if (/^(blob|bytea)$/.test(t)) return "bytes";
  if (/^(numeric|decimal)/.test(t)) return "numeric";
  return t; // boolean, date, and anything new shows up verbatim in the diff
}
