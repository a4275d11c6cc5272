/**
 * What a scenario hands back: markdown lines (tables and notes) and the
 * targets it was measured against. The same lines are printed and written
 * to bench/results/, so the terminal and the file never disagree.
 */
export interface Target {
  name: string;
  goal: string;
  actual: string;
  met: boolean;
}

export interface Section {
  title: string;
  lines: string[];
  targets: Target[];
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(Math.max(1, w - 1))}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)];
}

export function targetTable(targets: readonly Target[]): string[] {
  return table(
    ["target", "goal", "measured", "result"],
    targets.map((t) => [t.name, t.goal, t.actual, t.met ? "met" : "**missed**"]),
  );
}

/**
 * A measured answer was not the page the scenario asked for (a 429, a
 * redirect to the login form, a 500): the numbers would describe something
 * else, so the run reports nothing and exits non-zero.
 */
export class BenchRefusal extends Error {
  constructor(scenario: string, problem: string) {
    super(`bench refused to report: scenario "${scenario}": ${problem}`);
    this.name = "BenchRefusal";
  }
}
