import type { Section } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";

export async function startup(_ctx: ScenarioContext): Promise<Section> {
  return { title: "startup", lines: ["not yet"], targets: [] };
}
