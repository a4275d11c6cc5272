import type { Section } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";

export async function flood(_ctx: ScenarioContext): Promise<Section> {
  return { title: "flood", lines: ["not yet"], targets: [] };
}
