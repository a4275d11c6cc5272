import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { counterOnce, createMetrics, gaugeOnce } from "./metrics.js";

describe("counterOnce / gaugeOnce", () => {
  it("returns the metric already registered under the name, so two users share one series", async () => {
    const registry = new Registry();
    const config = { name: "things_total", help: "Things", labelNames: ["kind"] as const };
    const first = counterOnce(registry, { ...config, labelNames: [...config.labelNames] });
    const second = counterOnce(registry, { ...config, labelNames: [...config.labelNames] });
    expect(second).toBe(first);
    first.inc({ kind: "a" });
    second.inc({ kind: "a" });
    expect(await registry.getMetricsAsJSON()).toEqual([
      expect.objectContaining({
        name: "things_total",
        values: [expect.objectContaining({ value: 2 })],
      }),
    ]);
  });

  it("never touches another registry: two apps in one process share nothing", () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    const config = { name: "pending", help: "Pending" };
    expect(gaugeOnce(a.registry, config)).not.toBe(gaugeOnce(b.registry, config));
  });

  it("refuses a name taken by another kind of metric instead of handing it back", () => {
    const registry = new Registry();
    counterOnce(registry, { name: "clash", help: "A counter" });
    expect(() => gaugeOnce(registry, { name: "clash", help: "A gauge" })).toThrow(
      "another kind of metric",
    );
  });
});
