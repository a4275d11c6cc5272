import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { cruise, DOC, drawGraph, withGraph } from "../scripts/architecture-graph.js";

/**
 * docs/architecture.md draws the folders of src/ and the imports between
 * them. The drawing is made from dependency-cruiser's cruise, so it shows
 * what the code does; this test fails when the code moved on without it
 * (run `npm run graph`).
 */
describe("docs/architecture.md", () => {
  it("draws the imports src/ has today", async () => {
    const doc = await readFile(DOC, "utf8");
    const graph = drawGraph(await cruise());
    expect(withGraph(doc, graph)).toBe(doc);
    // What the drawing is for: the composition root reaches the features, and nothing below points up.
    expect(graph).toContain("app_ts --> auth_");
    expect(graph).not.toMatch(/\b(users_|sessions_|db_|lib_) -(-|\.)-?> (auth_|account_|ui_)/);
  }, 60_000);
});
