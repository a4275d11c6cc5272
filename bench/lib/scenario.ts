import type { BenchOptions } from "./options.js";
import type { Section } from "./report.js";

export interface ScenarioContext {
  options: BenchOptions;
  /** Prints a progress line (not part of the results). */
  log(line: string): void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<Section>;

/** Runs `body`, then `cleanup` whatever happened. */
export async function using<T>(
  body: () => Promise<T>,
  cleanup: () => Promise<void> | void,
): Promise<T> {
  try {
    return await body();
  } finally {
    await cleanup();
  }
}
