import type { AlertRecord } from "../../alerts/types.js";
import type { CheckState } from "../../health/types.js";
import { Button } from "../../ui/components/button.js";
import { Form } from "../../ui/components/form.js";
import type { LiveData } from "./data.js";
import { ago, count, duration, figure, shortTime, utcTime } from "./format.js";
import { LIVE_ID, MONITORING_PATH } from "./paths.js";

/** The tables of the refreshed block: the health checks with their Run now buttons, and alerts. */

const CHECK_BADGE = { ok: "badge--ok", warn: "badge--warn", fail: "badge--danger" } as const;
const SEVERITY_BADGE = {
  critical: "badge--danger",
  warning: "badge--warn",
  info: "badge--info",
} as const;

/** A check's DOM id: names come from our own registry, but an id must never carry odd characters. */
export const runButtonId = (name: string) => `run-${name.replace(/[^a-z0-9_-]/gi, "-")}`;

function CheckRow(props: { check: CheckState; now: Date }) {
  const { check, now } = props;
  const last = check.last;
  return (
    <tr id={`check-${check.name}`}>
      <td data-label="Check" class="data-table__primary">
        <code>{check.name}</code>
        {check.critical && <span class="badge badge--info monitoring-critical">critical</span>}
      </td>
      <td data-label="Status">
        {last ? (
          <span class={`badge ${CHECK_BADGE[last.status]}`}>{last.status}</span>
        ) : (
          <span class="badge">not run yet</span>
        )}
      </td>
      <td data-label="Message" class="monitoring-checks__message">
        {last?.message ?? "Waiting for its first run."}
      </td>
      <td data-label="Last run" class="nowrap">
        {last ? (
          <time datetime={last.checkedAt.toISOString()} title={utcTime(last.checkedAt)}>
            {ago(last.checkedAt, now)}
          </time>
        ) : (
          "—"
        )}
      </td>
      <td data-label="Duration" class="num nowrap">
        {last ? duration(last.durationMs) : "—"}
      </td>
      <td data-label="Action">
        <Form
          action={`${MONITORING_PATH}/checks/run`}
          class="monitoring-run"
          attrs={{
            "hx-post": `${MONITORING_PATH}/checks/run`,
            "hx-target": `#${LIVE_ID}`,
            "hx-swap": "outerHTML",
          }}
        >
          <input type="hidden" name="check" value={check.name} />
          <Button
            variant="secondary"
            size="sm"
            attrs={{ id: runButtonId(check.name), "aria-label": `Run ${check.name} now` }}
          >
            Run now
          </Button>
        </Form>
      </td>
    </tr>
  );
}

export function Checks(props: { data: LiveData }) {
  return (
    <section class="monitoring-checks" aria-labelledby="checks-title" id="checks">
      <h2 class="monitoring-section__title" id="checks-title">
        Health checks
      </h2>
      <p class="muted monitoring-section__note">
        Each runs on its own schedule; /readyz answers 503 while a critical one fails.
      </p>
      <div class="table-wrap">
        <table class="table data-table monitoring-table" id="checks-table">
          <caption class="visually-hidden">Health checks and their last result</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Message</th>
              <th scope="col">Last run</th>
              <th scope="col" class="num">
                Duration
              </th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.data.checks.map((check) => (
              <CheckRow check={check} now={props.data.now} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function AlertTable(props: { id: string; caption: string; rows: AlertRecord[] }) {
  return (
    <div class="table-wrap">
      <table class="table data-table monitoring-table" id={props.id}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Alert</th>
            <th scope="col">Severity</th>
            <th scope="col">State</th>
            <th scope="col">Fired</th>
            <th scope="col">Resolved</th>
            <th scope="col" class="num">
              Value / threshold
            </th>
            <th scope="col" class="num">
              Notices
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((alert) => (
            <tr>
              <td data-label="Alert" class="data-table__primary">
                <code>{alert.rule}</code>
                <span class="monitoring-alert__summary">{alert.summary}</span>
              </td>
              <td data-label="Severity">
                <span class={`badge ${SEVERITY_BADGE[alert.severity]}`}>{alert.severity}</span>
              </td>
              <td data-label="State">
                <span class={`badge ${alert.state === "firing" ? "badge--danger" : "badge--ok"}`}>
                  {alert.state}
                </span>
              </td>
              <td data-label="Fired" class="nowrap">
                <time datetime={alert.firedAt.toISOString()} title={utcTime(alert.firedAt)}>
                  {shortTime(alert.firedAt)}
                </time>
              </td>
              <td data-label="Resolved" class="nowrap">
                {alert.resolvedAt ? (
                  <time datetime={alert.resolvedAt.toISOString()} title={utcTime(alert.resolvedAt)}>
                    {shortTime(alert.resolvedAt)}
                  </time>
                ) : (
                  "—"
                )}
              </td>
              <td data-label="Value / threshold" class="num nowrap">
                {figure(alert.value, alert.unit === "count" ? "" : alert.unit)} /{" "}
                {figure(alert.threshold, alert.unit === "count" ? "" : alert.unit)}
              </td>
              <td data-label="Notices" class="num">
                {count(alert.notifications)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ActiveAlerts(props: { data: LiveData }) {
  const { active } = props.data;
  return (
    <section class="monitoring-alerts" aria-labelledby="active-title" id="active-alerts">
      <h2 class="monitoring-section__title" id="active-title">
        Active alerts{" "}
        {active.length > 0 && <span class="badge badge--danger">{count(active.length)}</span>}
      </h2>
      {active.length === 0 ? (
        <div class="empty-state" id="active-empty">
          <p class="empty-state__title">No alert is firing.</p>
          <p>The rules below are evaluated on every sample; a firing alert appears here.</p>
        </div>
      ) : (
        <AlertTable id="active-table" caption="Alerts firing now" rows={active} />
      )}
    </section>
  );
}
