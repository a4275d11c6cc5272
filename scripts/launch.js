/**
 * `npm start` and `npm run cli`: picks the compiled JavaScript or the TypeScript source.
 *
 *   node scripts/launch.js main [args]   the server (src/main.ts or dist/main.js)
 *   node scripts/launch.js cli [args]    the command line (src/cli/main.ts or dist/cli/main.js)
 *
 * NODE_ENV=production runs dist/ on plain Node: a production install (`npm ci --omit=dev`)
 * has no tsx, and compiling on the fly would only add start-up time and memory. Otherwise
 * the source runs through tsx, so a developer never has to build; a checkout without tsx
 * (dev dependencies omitted) runs dist/ whatever NODE_ENV says.
 *
 * Plain JavaScript, not TypeScript, because it must run where tsx is absent. It reads only
 * NODE_ENV from the environment: the configuration itself is src/config/env.ts's business.
 * The entry is imported in this process rather than spawned, so signals (SIGTERM from a
 * process manager, Ctrl-C) reach the server directly and nothing is left running after a kill.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "..");
const ENTRIES = new Map([
  ["main", "main"],
  ["cli", "cli/main"],
]);

const entry = ENTRIES.get(process.argv[2] ?? "");
if (entry === undefined) {
  console.error(`usage: node scripts/launch.js ${[...ENTRIES.keys()].join("|")} [arguments]`);
  process.exit(2);
}

const compiled = join(ROOT, "dist", `${entry}.js`);
const source = join(ROOT, "src", `${entry}.ts`);
const useSource = process.env.NODE_ENV !== "production" && hasTsx() && existsSync(source);

if (!useSource && !existsSync(compiled)) {
  console.error(
    `${compiled} is missing: run \`npm run build\` first (NODE_ENV=production runs the ` +
      "compiled JavaScript in dist/, not the TypeScript in src/).",
  );
  process.exit(1);
}
if (!useSource) warnIfStale(compiled);

// The entry reads its own arguments from process.argv.slice(2): drop the target name.
const file = useSource ? source : compiled;
process.argv.splice(1, 2, file);
if (useSource) await import("tsx");
await import(pathToFileURL(file).href);

function hasTsx() {
  try {
    createRequire(import.meta.url).resolve("tsx");
    return true;
  } catch {
    return false;
  }
}

/** In a checkout (src/ present), running a dist/ older than the source runs yesterday's code. */
function warnIfStale(compiledFile) {
  const srcDir = join(ROOT, "src");
  if (!existsSync(srcDir)) return;
  const builtAt = statSync(compiledFile).mtimeMs;
  const newer = newestFile(srcDir);
  if (newer !== undefined && newer.mtimeMs > builtAt) {
    console.error(
      `warning: ${relative(ROOT, newer.path)} changed after dist/ was built; run \`npm run build\` to run it.`,
    );
  }
}

function newestFile(dir) {
  let newest;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    // Tests are not compiled into dist/: editing one changes nothing that runs.
    if (/\.(test|contract)\.tsx?$/.test(item.name)) continue;
    const path = join(dir, item.name);
    const found = item.isDirectory() ? newestFile(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (found !== undefined && (newest === undefined || found.mtimeMs > newest.mtimeMs)) {
      newest = found;
    }
  }
  return newest;
}
