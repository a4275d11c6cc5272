import type { ActivityGroup } from "../../audit/user-activity.js";
import { formatUtc } from "../../mail/templates/index.js";
import { describeDevice } from "../../sessions/device.js";
import { Alert } from "../../ui/components/alert.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { relativeTime } from "../sessions/views.js";
import type { ActivityItem } from "./describe.js";

export const ACTIVITY_PATH = "/account/activity";

/** The filter chips, in order; "all" is no `group` at all. */
export const GROUP_CHIPS: readonly { group: ActivityGroup | undefined; label: string }[] = [
  { group: undefined, label: "All" },
  { group: "signins", label: "Sign-ins" },
  { group: "security", label: "Security changes" },
  { group: "sessions", label: "Sessions" },
];

export interface ActivityRow {
  item: ActivityItem;
  /** A failed attempt from an address the account never signed in from before it. */
  unfamiliar: boolean;
}

export interface ActivityPageProps {
  rows: readonly ActivityRow[];
  group: ActivityGroup | undefined;
  /** Cursor strings for the neighbouring pages, when they exist. */
  older?: string;
  newer?: string;
  /** Why a parameter of the URL was set aside ("That filter does not exist..."). */
  notices: readonly string[];
  now: Date;
}

export function activityHref(group: ActivityGroup | undefined, cursor?: string): string {
  const query = new URLSearchParams();
  if (group) query.set("group", group);
  if (cursor) query.set("cursor", cursor);
  const text = query.toString();
  return text ? `${ACTIVITY_PATH}?${text}` : ACTIVITY_PATH;
}

const RESULT_BADGE: Readonly<Record<ActivityItem["result"], [string, string] | undefined>> = {
  success: ["badge badge--ok", "Succeeded"],
  failed: ["badge badge--warn", "Failed"],
  refused: ["badge badge--warn", "Refused"],
  info: undefined,
};

function Fact(props: { label: string; children: unknown }) {
  return (
    <div class="activity__fact">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function ActivityEntry(props: { row: ActivityRow; now: Date }) {
  const { item, unfamiliar } = props.row;
  // Successes show their badge on sign-ins only: "Password changed · Succeeded" says nothing.
  const badge = item.signIn || item.result !== "success" ? RESULT_BADGE[item.result] : undefined;
  return (
    <li class={unfamiliar ? "activity activity--alert" : "activity"} id={`event-${item.id}`}>
      <h3 class="activity__title">
        {item.title}
        {badge && (
          <>
            {" "}
            <span class={badge[0]}>{badge[1]}</span>
          </>
        )}
        {unfamiliar && (
          <>
            {" "}
            <span class="badge badge--danger">Unfamiliar address</span>
          </>
        )}
      </h3>
      {item.note && <p class="activity__note">{item.note}</p>}
      <dl class="activity__facts">
        <Fact label="When">
          <time datetime={item.at.toISOString()}>{formatUtc(item.at)}</time>{" "}
          <span class="activity__ago">({relativeTime(item.at, props.now)})</span>
        </Fact>
        {item.method && <Fact label="Method">{item.method}</Fact>}
        {item.byAdmin && <Fact label="By">An administrator</Fact>}
        {item.origin && <Fact label="Device">{describeDevice(item.origin.userAgent)}</Fact>}
        {item.origin && <Fact label="IP address">{item.origin.ip ?? "Unknown"}</Fact>}
      </dl>
    </li>
  );
}

function Chips(props: { current: ActivityGroup | undefined }) {
  return (
    <nav class="activity-chips" aria-label="Show">
      {GROUP_CHIPS.map((chip) => (
        <a
          class="activity-chips__chip"
          href={activityHref(chip.group)}
          aria-current={chip.group === props.current ? "page" : undefined}
        >
          {chip.label}
        </a>
      ))}
    </nav>
  );
}

export function ActivityPage(props: ActivityPageProps) {
  return (
    <Page
      eyebrow="Account"
      title="Security log"
      description="Sign-ins, changes to how you sign in, and sessions ended on your account, newest first. Times are UTC."
    >
      <Alert kind="info">
        If you don't recognise an event, <a href="/account/password">change your password</a> and{" "}
        <a href="/account/sessions">sign out other sessions</a>.
      </Alert>
      {props.notices.map((notice) => (
        <Alert kind="warning">{notice}</Alert>
      ))}
      <Chips current={props.group} />
      <Card>
        {props.rows.length === 0 ? (
          <p id="activity-empty">Nothing to show here yet.</p>
        ) : (
          <ol class="activity-list" id="activity-list">
            {props.rows.map((row) => (
              <ActivityEntry row={row} now={props.now} />
            ))}
          </ol>
        )}
      </Card>
      {(props.newer || props.older) && (
        <nav class="pager" aria-label="Pages">
          {props.newer && (
            <a
              class="btn btn--secondary btn--sm"
              href={activityHref(props.group, props.newer)}
              rel="prev"
            >
              Newer
            </a>
          )}
          {props.older && (
            <a
              class="btn btn--secondary btn--sm pager__next"
              href={activityHref(props.group, props.older)}
              rel="next"
            >
              Older
            </a>
          )}
        </nav>
      )}
    </Page>
  );
}
