import type { Section } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";

export async function login(_ctx: ScenarioContext): Promise<Section> {
  return { title: "login", lines: ["not yet"], targets: [] };
}
