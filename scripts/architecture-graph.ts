/**
 * Draws the layers of src/ and the imports between its folders as a Mermaid
 * graph, from dependency-cruiser's own cruise (the one `npm run lint`
 * checks), and writes it into docs/architecture.md between the markers.
 *
 *   npm run graph            rewrite the drawing
 *   npm run graph -- --check exit 1 when the drawing is out of date
 *
 * test/architecture.test.ts runs the check, so the drawing cannot drift.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

interface Layer {
  name: string;
  what: string;
  folders: string[];
  files: string[];
}
interface Cruised {
  modules: Array<{
    source: string;
    dependencies: Array<{ resolved: string; dependencyTypes: string[] }>;
  }>;
}

const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const DOC = `${ROOT}docs/architecture.md`;
const BEGIN = "<!-- graph:begin (npm run graph) -->";
const END = "<!-- graph:end -->";
const { layers } = createRequire(import.meta.url)("./layers.cjs") as { layers: Layer[] };

/** What a module is drawn as: its top folder under src/ ("auth/"), or itself for a root file ("app.ts"). */
function unitOf(source: string): string | undefined {
  const match = /^src\/([^/]+)(\/)?/.exec(source);
  if (!match?.[1]) return undefined;
  return match[2] ? `${match[1]}/` : match[1];
}

export async function cruise(): Promise<Cruised> {
  const bin = `${ROOT}node_modules/.bin/depcruise`;
  const { stdout } = await promisify(execFile)(
    bin,
    ["src", "--config", ".dependency-cruiser.cjs", "--output-type", "json"],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Cruised;
}

/** The Mermaid text: one box per layer (top: composition), one node per folder, one edge per folder pair. */
export function drawGraph(cruised: Cruised): string {
  /** "from --> to", and whether any import behind it is more than a type. */
  const edges = new Map<string, boolean>();
  const present = new Set<string>();
  for (const mod of cruised.modules) {
    const from = unitOf(mod.source);
    if (!from) continue;
    present.add(from);
    for (const dep of mod.dependencies) {
      const to = unitOf(dep.resolved);
      if (!to || to === from) continue;
      const key = `${from} --> ${to}`;
      const runtime = !dep.dependencyTypes.includes("type-only");
      edges.set(key, (edges.get(key) ?? false) || runtime);
    }
  }
  const id = (unit: string) => unit.replace(/[^a-z0-9]/gi, "_");
  const lines = ["```mermaid", "flowchart TB"];
  for (const layer of [...layers].reverse()) {
    const members = [...layer.files, ...layer.folders.map((f) => `${f}/`)].filter((m) =>
      present.has(m),
    );
    if (members.length === 0) continue;
    lines.push(`  subgraph layer_${layer.name}["${layer.name}"]`);
    for (const m of members) lines.push(`    ${id(m)}["${m}"]`);
    lines.push("  end");
  }
  // A dotted arrow: types only (no code runs across it; most are Deps, the composition's contract).
  for (const [edge, runtime] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
    const [from = "", to = ""] = edge.split(" --> ");
    lines.push(`  ${id(from)} ${runtime ? "-->" : "-.->"} ${id(to)}`);
  }
  lines.push("```");
  return lines.join("\n");
}

/** docs/architecture.md with its drawing replaced by `graph`. */
export function withGraph(doc: string, graph: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC} lacks the ${BEGIN} ... ${END} markers`);
  return `${doc.slice(0, start + BEGIN.length)}\n${graph}\n${doc.slice(end)}`;
}

async function main(): Promise<void> {
  const doc = await readFile(DOC, "utf8");
  const next = withGraph(doc, drawGraph(await cruise()));
  if (process.argv.includes("--check")) {
    if (next !== doc) {
      console.error("docs/architecture.md: the drawing is out of date; run npm run graph");
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(DOC, next);
  console.log("docs/architecture.md: drawing updated");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
