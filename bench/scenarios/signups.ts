import type { Section } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";

export async function signups(_ctx: ScenarioContext): Promise<Section> {
  return { title: "signups", lines: ["not yet"], targets: [] };
}
