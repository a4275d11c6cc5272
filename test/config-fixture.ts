import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../src/config/env.js";

/** Loading a configuration from a given environment in a fresh directory, for the config tests. */

export const tmp = () => mkdtempSync(join(tmpdir(), "bastion-config-"));
export const load = (env: Record<string, string>, cwd = tmp()) => loadConfig({ env, cwd });
export const problemsOf = (env: Record<string, string>, cwd = tmp()): string[] => {
  try {
    load(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
};
export const PROD = {
  NODE_ENV: "production",
  SECRET_KEY: "x".repeat(40),
  APP_URL: "https://app.example.com",
};
