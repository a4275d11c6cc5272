import type { AuditEvent } from "../../audit/audit.js";
import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { Form } from "../../ui/components/form.js";
import { AdminPage } from "../layout.js";
import type { PerformanceData } from "./data.js";
import { QueryTable } from "./query-table.js";
import { hitRate, RateLimits, SessionCache, Stat } from "./sections.js";

export const PERFORMANCE_PATH = "/admin/performance";

/** What ?done= may name: it only picks one of these messages, never text of its own. */
export type DoneCode = "maintenance" | "caches";

const count = new Intl.NumberFormat("en");
const plural = (n: number, one: string, many = `${one}s`) =>
  `${count.format(n)} ${n === 1 ? one : many}`;

export function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const num = (value: unknown) => (typeof value === "number" ? value : 0);

const CHECKPOINT_TEXT: Record<string, string> = {
  done: "DuckDB was checkpointed (its write-ahead log folded into the file).",
  not_needed: "No checkpoint needed: PostgreSQL checkpoints by itself.",
  failed:
    "The DuckDB checkpoint was refused (a write was open); the log stays safe and the next one folds it.",
};

/** One sentence per step of a maintenance_run record. */
export function maintenanceSummary(event: AuditEvent): string[] {
  const d = event.details;
  return [
    `Deleted ${plural(num(d.sessions), "expired session")}, ${plural(num(d.links), "used or expired link")} and ${plural(num(d.loginAttempts), "lapsed sign-in counter")}.`,
    `Pruned ${plural(num(d.mail), "sent or suppressed message")} older than ${typeof d.mailBefore === "string" ? utc(new Date(d.mailBefore)) : "the retention period"}.`,
    CHECKPOINT_TEXT[String(d.checkpoint)] ?? "",
  ];
}

function DoneAlert(props: { done: DoneCode | undefined; data: PerformanceData }) {
  const { done, data } = props;
  if (done === "maintenance" && data.lastMaintenance) {
    const failed = data.lastMaintenance.outcome === "failure";
    return (
      <Alert kind={failed ? "warning" : "success"} id="flash" title="Maintenance done">
        {maintenanceSummary(data.lastMaintenance).join(" ")}
      </Alert>
    );
  }
  if (done === "caches" && data.lastCacheClear) {
    return (
      <Alert kind="success" id="flash" title="Caches cleared">
        The session look-up cache of this instance was emptied (
        {plural(num(data.lastCacheClear.details.sessionCache), "entry", "entries")}): each session's
        next request reads the database once.
      </Alert>
    );
  }
  return null;
}

function Actions(props: { data: PerformanceData }) {
  const last = props.data.lastMaintenance;
  return (
    <section class="perf-actions" aria-labelledby="perf-actions-title">
      <h2 class="perf-section__title" id="perf-actions-title">
        Maintenance
      </h2>
      <div class="perf-actions__grid">
        <div class="card perf-action">
          <h3 class="perf-action__title">Run maintenance</h3>
          <p>
            Deletes expired sessions and used or expired links, prunes sent mail older than 30 days,
            and{" "}
            {props.data.dialect === "duckdb"
              ? "checkpoints DuckDB"
              : "skips the checkpoint PostgreSQL does not need"}
            . The background job does the first part every 15 minutes anyway.
          </p>
          <p class="muted" id="last-maintenance">
            {last ? `Last run ${utc(last.createdAt)}.` : "Not run from here yet."}
          </p>
          <Form action={`${PERFORMANCE_PATH}/maintenance`} id="maintenance-form">
            <Button>Run maintenance</Button>
          </Form>
        </div>
        <div class="card perf-action">
          <h3 class="perf-action__title">Clear caches</h3>
          <p>
            Empties this instance's session look-up cache. Nothing is lost: each session's next
            request reads the database once. Other instances keep their caches.
          </p>
          <Form action={`${PERFORMANCE_PATH}/caches/clear`} id="clear-caches-form">
            <Button variant="secondary">Clear caches</Button>
          </Form>
        </div>
      </div>
    </section>
  );
}

export function PerformancePage(props: { data: PerformanceData; done: DoneCode | undefined }) {
  const { data } = props;
  return (
    <AdminPage
      title="Performance"
      description="Database statements, the session cache and rate limits, with maintenance actions."
    >
      <DoneAlert done={props.done} data={data} />
      <p class="perf-scope" id="perf-scope">
        Figures of <strong>this instance</strong>, since {utc(data.since)}. Each instance keeps its
        own; they start again at zero when it restarts.
      </p>
      <section class="stats" aria-label="Statements">
        <dl class="stats__grid">
          <Stat
            id="stat-statements"
            label="Statements run"
            value={count.format(data.queries.statements)}
          />
          <Stat
            id="stat-fingerprints"
            label="Distinct statements"
            value={count.format(data.queries.fingerprints)}
          />
          <Stat
            id="stat-cache-hit-rate"
            label="Session cache hit rate"
            value={hitRate(data.sessionCache.hits, data.sessionCache.misses)}
          />
          <Stat
            id="stat-blocked"
            label="Requests rate-limited"
            value={count.format(data.policies.reduce((n, p) => n + p.blocked, 0))}
          />
        </dl>
      </section>
      <section class="perf-section" aria-labelledby="perf-slow-title">
        <h2 class="perf-section__title" id="perf-slow-title">
          Slowest statements
        </h2>
        <p class="muted">By 95th percentile of the last 256 runs of each; values shown as ?.</p>
        <QueryTable
          id="slow-queries"
          caption="Slowest statements by p95"
          rows={data.queries.slowest}
        />
      </section>
      <section class="perf-section" aria-labelledby="perf-frequent-title">
        <h2 class="perf-section__title" id="perf-frequent-title">
          Most frequent statements
        </h2>
        <QueryTable
          id="frequent-queries"
          caption="Most frequent statements"
          rows={data.queries.frequent}
        />
      </section>
      <SessionCache data={data} />
      <RateLimits rows={data.policies} store={data.rateLimitStore} />
      <Actions data={data} />
    </AdminPage>
  );
}
