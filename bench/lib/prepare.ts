/** What the bench needs before any scenario: an up-to-date dist/ and the Express peer's packages. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./app.js";

/** Newest mtime under `dir` (files only). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Runs `npm run build` when dist/main.js is missing or older than anything in src/. */
export function ensureBuilt(): void {
  const main = join(ROOT, "dist", "main.js");
  const extras = ["package.json", "tsconfig.json", "tsconfig.build.json"].map(
    (f) => statSync(join(ROOT, f)).mtimeMs,
  );
  const sources = Math.max(newest(join(ROOT, "src")), ...extras);
  if (existsSync(main) && newest(join(ROOT, "dist")) >= sources) return;
  console.log("building dist/ (npm run build) ...");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
}

/** `npm ci` for bench/peers/express when its node_modules are missing. */
export function ensureExpressPeer(): void {
  const dir = join(ROOT, "bench", "peers", "express");
  if (existsSync(join(dir, "node_modules", "express"))) return;
  console.log("installing the Express peer (npm ci --prefix bench/peers/express) ...");
  execFileSync("npm", ["ci", "--prefix", dir, "--no-audit", "--no-fund"], {
    cwd: ROOT,
    stdio: "inherit",
  });
}
