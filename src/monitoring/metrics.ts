import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type LabelValues,
  Registry,
} from "prom-client";

/**
 * One Registry per app instance (never prom-client's global), so two apps in
 * one process - as in the tests - never share or double-register metrics.
 */
export interface Metrics {
  registry: Registry;
  httpRequestsTotal: Counter<"method" | "route" | "status">;
  httpRequestDurationSeconds: Histogram<"method" | "route">;
  auditEventsTotal: Counter<"type" | "outcome">;
  /** Labelled by statement class (select, insert, ...), never by fingerprint: bounded series. */
  dbQueryDurationSeconds: Histogram<"statement">;
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
    dbQueryDurationSeconds: new Histogram({
      name: "db_query_duration_seconds",
      help: "Database statement duration by statement class (select, insert, update, delete, transaction, ddl, other)",
      labelNames: ["statement"],
      // Embedded DuckDB answers in well under a millisecond; PostgreSQL over a network in a few.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/**
 * The counter named `config.name` in `registry`, created on first use.
 *
 * Why get-or-create: several instances of one module may report to one
 * registry (two guards on one app, several outbox senders or task runners in
 * the CLI and the tests), and prom-client throws on a second registration of
 * a name. A name already taken by another kind of metric is a programming
 * error, so it throws rather than hand back something else.
 */
export function counterOnce<L extends string>(
  registry: Registry,
  config: Omit<CounterConfiguration<L>, "registers">,
  options: {
    /** Series created at zero, so dashboards and alerts see the metric before the first event. */
    zeroSeries?: ReadonlyArray<LabelValues<L>>;
  } = {},
): Counter<L> {
  const counter = getOrCreate(
    registry,
    config.name,
    Counter,
    () => new Counter({ ...config, registers: [registry] }),
  );
  for (const labels of options.zeroSeries ?? []) counter.inc(labels, 0);
  return counter;
}

/** The gauge named `config.name` in `registry`, created on first use (see counterOnce). */
export function gaugeOnce<L extends string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<L>, "registers">,
): Gauge<L> {
  return getOrCreate(
    registry,
    config.name,
    Gauge,
    () => new Gauge({ ...config, registers: [registry] }),
  );
}

function getOrCreate<M>(
  registry: Registry,
  name: string,
  kind: abstract new (...args: never[]) => unknown,
  make: () => M,
): M {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) return make();
  if (!(existing instanceof kind)) {
    throw new Error(`metric ${name} is already registered as another kind of metric`);
  }
  return existing as M;
}
