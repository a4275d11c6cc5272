import type { Section } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";

export async function sessions(_ctx: ScenarioContext): Promise<Section> {
  return { title: "sessions", lines: ["not yet"], targets: [] };
}
