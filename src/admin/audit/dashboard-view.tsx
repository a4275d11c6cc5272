import type { Child } from "hono/jsx";
import type { FeedEvent } from "../../audit/security-feed.js";
import {
  AUDIT_PERIODS,
  type AuditPeriod,
  type LoginSummary,
  type StatsWindow,
} from "../../audit/stats.js";
import { Alert } from "../../ui/components/alert.js";
import { AdminPage } from "../layout.js";
import type { DashboardCharts } from "./dashboard-charts.js";
import { SecurityFeed } from "./dashboard-feed.js";

export const DASHBOARD_PATH = "/admin/audit";

const number = new Intl.NumberFormat("en");

/** A share as a whole percent ("—" when there is nothing to divide). */
export function percent(part: number, whole: number): string {
  if (whole === 0) return "—";
  return `${Math.round((part / whole) * 100)}%`;
}

const PERIOD_SHORT: Readonly<Record<AuditPeriod, string>> = {
  "24h": "24 h",
  "7d": "7 d",
  "30d": "30 d",
  "90d": "90 d",
};

function PeriodSwitch(props: { period: AuditPeriod }) {
  return (
    <nav class="period-switch" aria-label="Period">
      {(Object.keys(AUDIT_PERIODS) as AuditPeriod[]).map((period) => (
        <a
          class="period-switch__link"
          href={`${DASHBOARD_PATH}?period=${period}`}
          aria-current={period === props.period ? "page" : undefined}
          title={`The last ${AUDIT_PERIODS[period].label}`}
        >
          {PERIOD_SHORT[period]}
        </a>
      ))}
    </nav>
  );
}

function Stat(props: { label: string; value: Child; id: string; href?: string }) {
  return (
    <div class="stat">
      <dt class="stat__label">{props.label}</dt>
      <dd class="stat__value" id={props.id}>
        {props.href !== undefined ? <a href={props.href}>{props.value}</a> : props.value}
      </dd>
    </div>
  );
}

function LoginStats(props: { summary: LoginSummary; window: StatsWindow }) {
  const s = props.summary;
  const from = props.window.since.toISOString().slice(0, 16);
  const explore = (type: string) =>
    `${DASHBOARD_PATH}/events?${new URLSearchParams({ type, from }).toString()}`;
  return (
    <section class="stats audit-stats" aria-labelledby="stats-title">
      <h2 class="visually-hidden" id="stats-title">
        Sign-ins in the last {AUDIT_PERIODS[props.window.period].label}
      </h2>
      <dl class="stats__grid">
        <Stat
          id="stat-succeeded"
          label="Sign-ins"
          value={number.format(s.succeeded)}
          href={explore("login_succeeded")}
        />
        <Stat
          id="stat-failed"
          label="Failed sign-ins"
          value={number.format(s.failed)}
          href={explore("login_failed")}
        />
        <Stat
          id="stat-rate"
          label="Success rate"
          value={percent(s.succeeded, s.succeeded + s.failed)}
        />
        <Stat id="stat-users" label="Users signed in" value={number.format(s.users)} />
        <Stat id="stat-oauth" label="With a provider" value={percent(s.oauth, s.succeeded)} />
        <Stat id="stat-2fa" label="With 2FA" value={percent(s.twoFactor, s.succeeded)} />
        <Stat
          id="stat-locked"
          label="Locked now"
          value={number.format(s.lockedNow)}
          href="/admin/users?status=locked"
        />
        <Stat
          id="stat-registrations"
          label="New accounts"
          value={number.format(s.registrations)}
          href={explore("user_registered")}
        />
      </dl>
      <p class="stats__note">
        Since {props.window.since.toISOString().slice(0, 16).replace("T", " ")} UTC:{" "}
        <strong>{number.format(s.lockouts)}</strong> {s.lockouts === 1 ? "lockout" : "lockouts"},{" "}
        <strong>{number.format(s.twoFactorFailed)}</strong> wrong two-factor{" "}
        {s.twoFactorFailed === 1 ? "code" : "codes"}. Shares are of completed sign-ins.
      </p>
    </section>
  );
}

export interface DashboardPageProps {
  window: StatsWindow;
  /** The link asked for a period that does not exist: say which one is shown instead. */
  invalidPeriod: boolean;
  summary: LoginSummary;
  charts: DashboardCharts;
  feed: { events: FeedEvent[]; total: number; since: Date };
}

export function AuditDashboardPage(props: DashboardPageProps) {
  const { period } = props.window;
  return (
    <AdminPage
      title="Audit"
      description="Sign-ins and security events, from the audit log. Times in UTC."
      actions={
        <a class="btn btn--secondary" href={`${DASHBOARD_PATH}/events`}>
          Explore all events
        </a>
      }
    >
      {props.invalidPeriod && (
        <Alert kind="warning">
          That period is not one of 24 hours, 7, 30 or 90 days: showing the last{" "}
          {AUDIT_PERIODS[period].label}.
        </Alert>
      )}
      <div class="audit-dashboard__bar">
        <p class="audit-dashboard__period">The last {AUDIT_PERIODS[period].label}</p>
        <PeriodSwitch period={period} />
      </div>
      <LoginStats summary={props.summary} window={props.window} />
      <section class="card audit-charts" aria-label="Charts">
        {props.charts.signIns}
        <div class="audit-charts__pair">
          {props.charts.ips}
          {props.charts.accounts}
        </div>
      </section>
      <SecurityFeed {...props.feed} />
    </AdminPage>
  );
}
