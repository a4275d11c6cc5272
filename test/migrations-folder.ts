import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A maker of fresh migrations folders, each holding the given files, under one
 * temporary root that is removed after the calling test file.
 */
export function migrationsFolders(prefix: string): (files: Record<string, string>) => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let folders = 0;
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return (files) => {
    const dir = join(root, `m${folders++}`);
    mkdirSync(dir);
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
    return dir;
  };
}
