import type { AlertRuleView } from "../../alerts/types.js";
import { Alert } from "../../ui/components/alert.js";
import { AdminPage } from "../layout.js";
import type { MonitoringChart } from "./charts.js";
import type { ChartRange, HistoryPage, LiveData } from "./data.js";
import { Announce, LiveBlock, type RunNotice, runSentence } from "./live.js";
import { MONITORING_PATH } from "./paths.js";
import { Charts, History, Rules } from "./sections.js";

export interface MonitoringPageProps {
  live: LiveData;
  notice: RunNotice | undefined;
  range: ChartRange;
  invalidRange: boolean;
  charts: MonitoringChart[];
  points: number;
  rules: AlertRuleView[];
  history: HistoryPage;
  invalidBefore: boolean;
}

/** GET /admin/monitoring: the refreshed block, then the charts, the rules and the history. */
export function MonitoringPage(props: MonitoringPageProps) {
  const { live } = props;
  return (
    <AdminPage
      title="Monitoring"
      description="This instance's health, figures and alerts. Times in UTC."
      actions={
        <a class="btn btn--secondary" href={`${MONITORING_PATH}/export.json`} download>
          Export as JSON
        </a>
      }
    >
      {props.invalidRange && (
        <Alert kind="warning" id="range-warning">
          That chart range is not one of 1 h or 24 h: showing the last hour.
        </Alert>
      )}
      {props.invalidBefore && (
        <Alert kind="warning" id="before-warning">
          The history link's date could not be read (expected a time such as 2026-01-15T12:00:00Z):
          showing the most recent alerts.
        </Alert>
      )}
      <Announce text={props.notice ? runSentence(props.notice.check) : undefined} />
      <LiveBlock data={live} notice={props.notice} />
      <Charts range={props.range} charts={props.charts} points={props.points} />
      <Rules rules={props.rules} />
      <History history={props.history} range={props.range} />
    </AdminPage>
  );
}
