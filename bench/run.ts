/**
 * `npm run bench`: Bastion's performance suite. Each scenario starts what it
 * measures (the production build in its own process, peer servers in
 * theirs), checks every answer, and returns tables and targets; the run
 * prints them and writes bench/results/<date>-<sha>.md. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, dropDatabases, ROOT } from "./lib/app.js";
import { gitSha, loadAverage, machineLine, versions } from "./lib/machine.js";
import { parseOptions, type ScenarioName } from "./lib/options.js";
import { ensureBuilt, ensureExpressPeer } from "./lib/prepare.js";
import { BenchRefusal, type Section, table, targetTable } from "./lib/report.js";
import type { Scenario } from "./lib/scenario.js";
import { flood } from "./scenarios/flood.js";
import { instances } from "./scenarios/instances.js";
import { login } from "./scenarios/login.js";
import { monitoring } from "./scenarios/monitoring.js";
import { scaling } from "./scenarios/scaling.js";
import { sessions } from "./scenarios/sessions.js";
import { signups } from "./scenarios/signups.js";
import { startup } from "./scenarios/startup.js";
import { throughput } from "./scenarios/throughput.js";

const SCENARIOS: Record<ScenarioName, Scenario> = {
  throughput,
  login,
  flood,
  sessions,
  signups,
  startup,
  scaling,
  monitoring,
  instances,
};

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  ensureBuilt();
  if (options.only.includes("throughput")) ensureExpressPeer();
  const sha = gitSha();
  const loadBefore = loadAverage();
  const header = [
    `# Bastion bench, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${sha.short}${sha.dirty ? " (uncommitted changes in src/ or bench/)" : ""}`,
    "",
    `- machine: ${machineLine()}`,
    `- load average (1/5/15 min) before: ${loadBefore}`,
    `- scenarios: ${options.only.join(", ")}${options.quick ? " (--quick: smoke numbers, not to quote)" : ""}`,
    "",
    ...table(["package", "version"], versions()),
  ];
  console.log(header.join("\n"));
  const sections: Section[] = [];
  for (const name of options.only) {
    const scenarioStarted = performance.now();
    const section = await SCENARIOS[name]({
      options,
      log: (line) => console.log(`  .. ${line}`),
    });
    section.lines.push("", `(${((performance.now() - scenarioStarted) / 1000).toFixed(0)} s)`);
    sections.push(section);
    console.log(`\n${render(section).join("\n")}`);
  }
  const targets = sections.flatMap((s) => s.targets);
  const missed = targets.filter((t) => !t.met).length;
  const footer = [
    "",
    "## Targets",
    "",
    ...targetTable(targets),
    "",
    `${targets.length - missed} of ${targets.length} targets met.`,
    "",
    `- load average (1/5/15 min) after: ${loadAverage()}`,
    `- total: ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ];
  console.log(footer.join("\n"));
  if (options.write) {
    const dir = join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().slice(0, 10)}-${sha.short}.md`);
    const body = [...header, ...sections.flatMap((s) => ["", ...render(s)]), ...footer, ""];
    writeFileSync(file, body.join("\n"));
    console.log(`\nwritten: ${file.slice(ROOT.length + 1)}`);
  }
  return 0;
}

function render(section: Section): string[] {
  const out = [`## ${section.title}`, "", ...section.lines];
  if (section.targets.length > 0) out.push("", ...targetTable(section.targets));
  return out;
}

let code: number;
try {
  code = await main();
} catch (error) {
  code = 1;
  if (error instanceof BenchRefusal) console.error(`\n${error.message}`);
  else console.error(error);
} finally {
  cleanUp();
  await dropDatabases();
}
process.exit(code);
