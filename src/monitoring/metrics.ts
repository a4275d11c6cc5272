import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * One Registry per app instance (never prom-client's global), so two apps in
 * one process - as in the tests - never share or double-register metrics.
 */
export interface Metrics {
  registry: Registry;
  httpRequestsTotal: Counter<"method" | "route" | "status">;
  httpRequestDurationSeconds: Histogram<"method" | "route">;
  auditEventsTotal: Counter<"type" | "outcome">;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestsTotal: new Counter({
      name: "http_requests_total",
      help: "HTTP requests by method, matched route pattern and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpRequestDurationSeconds: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method and matched route pattern",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    auditEventsTotal: new Counter({
      name: "audit_events_total",
      help: "Audit events recorded, by type and outcome",
      labelNames: ["type", "outcome"],
      registers: [registry],
    }),
  };
}
