import type { Section } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";

export async function scaling(_ctx: ScenarioContext): Promise<Section> {
  return { title: "scaling", lines: ["not yet"], targets: [] };
}
