import type { AlertRuleView } from "../../alerts/types.js";
import type { MonitoringChart } from "./charts.js";
import type { ChartRange, HistoryPage } from "./data.js";
import { figure, span, utcTime } from "./format.js";
import { AlertTable } from "./live-tables.js";
import { MONITORING_PATH } from "./paths.js";

/** The page's blocks below the refreshed one: the charts, the rules, the alert history. */

const RANGE_SHORT: Readonly<Record<ChartRange, string>> = { "1h": "1 h", "24h": "24 h" };
const RANGE_TITLE: Readonly<Record<ChartRange, string>> = {
  "1h": "The last hour, one point per 10 seconds",
  "24h": "The last 24 hours, one point per 5 minutes",
};

function RangeSwitch(props: { range: ChartRange }) {
  return (
    <nav class="period-switch" aria-label="Chart range">
      {(Object.keys(RANGE_SHORT) as ChartRange[]).map((range) => (
        <a
          class="period-switch__link"
          href={`${MONITORING_PATH}?range=${range}#charts`}
          aria-current={range === props.range ? "page" : undefined}
          title={RANGE_TITLE[range]}
        >
          {RANGE_SHORT[range]}
        </a>
      ))}
    </nav>
  );
}

export function Charts(props: { range: ChartRange; charts: MonitoringChart[]; points: number }) {
  return (
    <section class="card monitoring-charts" aria-labelledby="charts-title" id="charts">
      <div class="monitoring-charts__bar">
        <div>
          <h2 class="monitoring-section__title" id="charts-title">
            {props.range === "1h" ? "The last hour" : "The last 24 hours"}
          </h2>
          <p class="muted monitoring-section__note">
            {RANGE_TITLE[props.range]}, {props.points} {props.points === 1 ? "point" : "points"} so
            far. Times in UTC. Reload the page for newer points.
          </p>
        </div>
        <RangeSwitch range={props.range} />
      </div>
      <div class="monitoring-charts__grid">
        {props.charts.map((chart) => (
          <div class="monitoring-charts__cell">{chart.figure}</div>
        ))}
      </div>
    </section>
  );
}

const unitOf = (rule: AlertRuleView) => (rule.unit === "count" ? "" : rule.unit);

export function Rules(props: { rules: AlertRuleView[] }) {
  return (
    <section class="monitoring-rules" aria-labelledby="rules-title" id="rules">
      <h2 class="monitoring-section__title" id="rules-title">
        Alert rules
      </h2>
      {props.rules.length === 0 ? (
        <div class="empty-state" id="rules-empty">
          <p class="empty-state__title">Every alert rule is switched off.</p>
          <p>Rules come from the built-in catalog, changed with ALERT_RULES.</p>
        </div>
      ) : (
        <div class="table-wrap">
          <table class="table data-table monitoring-table" id="rules-table">
            <caption class="visually-hidden">Alert rules and their last evaluation</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col" class="num">
                  Threshold
                </th>
                <th scope="col">For</th>
                <th scope="col">Severity</th>
                <th scope="col">Cooldown</th>
                <th scope="col" class="num">
                  Last value
                </th>
                <th scope="col">Pending</th>
              </tr>
            </thead>
            <tbody>
              {props.rules.map((rule) => (
                <tr id={`rule-${rule.name}`}>
                  <td data-label="Rule" class="data-table__primary">
                    <code>{rule.name}</code>
                    {!rule.enabled && <span class="badge monitoring-critical">off</span>}
                    <span class="monitoring-alert__summary">{rule.description}</span>
                  </td>
                  <td data-label="Threshold" class="num nowrap">
                    {figure(rule.threshold, unitOf(rule))}
                  </td>
                  <td data-label="For" class="nowrap">
                    {span(rule.forSeconds)}
                  </td>
                  <td data-label="Severity">{rule.severity}</td>
                  <td data-label="Cooldown" class="nowrap">
                    {span(rule.cooldownSeconds)}
                  </td>
                  <td data-label="Last value" class="num nowrap">
                    {rule.lastValue === undefined ? (
                      <span class="muted">not enough data</span>
                    ) : (
                      figure(rule.lastValue, unitOf(rule))
                    )}
                  </td>
                  <td data-label="Pending">
                    {rule.pendingSince ? (
                      <span class="badge badge--warn">since {utcTime(rule.pendingSince)}</span>
                    ) : (
                      "no"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function History(props: { history: HistoryPage; range: ChartRange }) {
  const { rows, before, olderBefore } = props.history;
  const link = (at: Date | undefined) => {
    const query = new URLSearchParams();
    if (props.range !== "1h") query.set("range", props.range);
    if (at) query.set("before", at.toISOString());
    const q = query.toString();
    return `${MONITORING_PATH}${q ? `?${q}` : ""}#history`;
  };
  return (
    <section class="monitoring-history" aria-labelledby="history-title" id="history">
      <h2 class="monitoring-section__title" id="history-title">
        Alert history
      </h2>
      <p class="muted monitoring-section__note">
        {before
          ? `Alerts fired before ${utcTime(before)}, most recent first.`
          : "The most recent alerts, fired or resolved, newest first."}
      </p>
      {rows.length === 0 ? (
        <div class="empty-state" id="history-empty">
          <p class="empty-state__title">
            {before ? "No older alerts." : "No alert has fired yet."}
          </p>
          <p>
            Each alert stays here after it resolves, with when it fired and how often it told you.
          </p>
        </div>
      ) : (
        <AlertTable id="history-table" caption="Alert history" rows={rows} />
      )}
      {(before || olderBefore) && (
        <nav class="pager" aria-label="Alert history pages">
          {before && (
            <a class="btn btn--secondary btn--sm" href={link(undefined)}>
              Most recent
            </a>
          )}
          {olderBefore && (
            <a
              class="btn btn--secondary btn--sm pager__next"
              href={link(olderBefore)}
              id="history-older"
            >
              Older alerts
            </a>
          )}
        </nav>
      )}
    </section>
  );
}
