import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_SECTIONS, ENV_DESCRIPTIONS } from "../../src/config/descriptions.js";
import { configReferencePage } from "../../src/config/reference.js";
import { envSchema } from "../../src/config/schema.js";

/**
 * docs/configuration.md is generated from the config schema and its
 * descriptions. A variable added, a default changed or a bound moved
 * without regenerating it (`npm run docs:config`) fails here, so the page
 * never describes another configuration. (A variable with no description
 * fails earlier, in the type check of src/config/descriptions.ts.)
 */
const DOC = new URL("../../docs/configuration.md", import.meta.url);

const itemOf = (page: string, name: string) =>
  page.split("\n").find((line) => line.startsWith(`- **\`${name}\`** (`));

describe("docs/configuration.md", () => {
  it("is what `npm run docs:config` writes from the schema", () => {
    expect(readFileSync(DOC, "utf8")).toBe(configReferencePage());
  });

  it("has one item for every variable of the schema, and none besides", () => {
    const page = configReferencePage();
    const listed = page
      .split("\n")
      .map((line) => /^- \*\*`([A-Z0-9_]+)`\*\* \(/.exec(line)?.[1])
      .filter((name) => name !== undefined);
    expect(listed.sort()).toEqual(Object.keys(envSchema.shape).sort());
    for (const [name, { text, section }] of Object.entries(ENV_DESCRIPTIONS)) {
      expect(text.trim(), name).not.toBe("");
      expect(Object.keys(CONFIG_SECTIONS), name).toContain(section);
    }
  });

  it("reads defaults and bounds from the schema itself (not vacuous)", () => {
    const page = configReferencePage();
    expect(itemOf(page, "PORT")).toContain("(default `8000`; 1 to 65535): Listen port.");
    expect(itemOf(page, "CSP_MODE")).toContain(
      "(unset by default; one of `strict`, `report-only`, `relaxed`)",
    );
    // As the operator writes it, not the boolean it becomes.
    expect(itemOf(page, "ALERT_EVALUATION")).toContain("(default `on`; on or off)");
    expect(itemOf(page, "SMTP_SECURE")).toContain("(default `false`; true or false)");
    expect(itemOf(page, "SECRET_KEY")).toContain("(unset by default)");
  });
});
