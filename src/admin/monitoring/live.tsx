import type { CheckState } from "../../health/types.js";
import type { LiveData, OverallStatus } from "./data.js";
import { duration, utcTime } from "./format.js";
import { Figures } from "./live-figures.js";
import { ActiveAlerts, Checks } from "./live-tables.js";
import { ANNOUNCE_ID, LIVE_ID, MONITORING_PATH, REFRESH_SECONDS } from "./paths.js";

/**
 * The block htmx refreshes every 5 s (GET /admin/monitoring/figures): the
 * status, the key figures, the checks and the active alerts. The same
 * component draws it inside the page and as the fragment, so the two never
 * drift apart.
 *
 * Screen readers: the block itself is not a live region (a table read out
 * every 5 s would drown everything else). A separate, visually hidden status
 * line (#monitoring-announce, outside the block) is updated out of band only
 * when the overall status changed since the last refresh, or a check was run:
 * the block's poll URL carries the status it showed (?seen=), so the server
 * knows what the reader last heard without any client script.
 */

export const STATUS_WORDS: Readonly<Record<OverallStatus, string>> = {
  ok: "All good",
  degraded: "Degraded",
  failing: "Failing",
};
const STATUS_BADGE: Readonly<Record<OverallStatus, string>> = {
  ok: "badge--ok",
  degraded: "badge--warn",
  failing: "badge--danger",
};

/** What the status line announces: the status word and its first reason. */
export function statusSentence(data: Pick<LiveData, "status">): string {
  const [first] = data.status.reasons;
  return `Status: ${STATUS_WORDS[data.status.status]}.${first !== undefined ? ` ${first}` : ""}`;
}

/** A check's outcome, after the "Run now" button: names the check and what it found. */
export interface RunNotice {
  check: CheckState;
}

export function runSentence(check: CheckState): string {
  const last = check.last;
  if (!last) return `Check ${check.name} ran but has no result yet.`;
  return `Check ${check.name} ran: ${last.status} in ${duration(last.durationMs)}. ${last.message}`;
}

function StatusBlock(props: { data: LiveData }) {
  const { status, reasons } = props.data.status;
  return (
    <section
      class={`monitoring-status monitoring-status--${status}`}
      aria-labelledby="status-title"
    >
      <div class="monitoring-status__head">
        <h2 class="monitoring-status__title" id="status-title">
          Status{" "}
          <span class={`badge ${STATUS_BADGE[status]}`} id="overall-status" data-status={status}>
            {STATUS_WORDS[status]}
          </span>
        </h2>
        <p class="monitoring-status__updated" id="live-updated">
          Updated {utcTime(props.data.now)} · refreshes every {REFRESH_SECONDS} s
        </p>
      </div>
      {reasons.length === 0 ? (
        <p class="monitoring-status__text">
          Every check passes and no alert is firing. /readyz answers 200.
        </p>
      ) : (
        <ul class="monitoring-status__reasons" id="status-reasons">
          {reasons.map((reason) => (
            <li>{reason}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The refreshed block. `seen` is the status its next poll reports back (see the note above). */
export function LiveBlock(props: { data: LiveData; notice?: RunNotice }) {
  const { data } = props;
  const poll = `${MONITORING_PATH}/figures?seen=${data.status.status}`;
  return (
    <div
      id={LIVE_ID}
      class="monitoring-live stack"
      hx-get={poll}
      hx-trigger={`every ${REFRESH_SECONDS}s`}
      hx-swap="outerHTML"
    >
      {props.notice && (
        <div class="alert alert--info monitoring-notice" id="run-notice">
          <div class="alert__content">
            <p class="alert__text">{runSentence(props.notice.check)}</p>
          </div>
        </div>
      )}
      <StatusBlock data={data} />
      <Figures data={data} />
      <Checks data={data} />
      <ActiveAlerts data={data} />
    </div>
  );
}

/**
 * The screen-reader line. In the page: empty, a polite live region that
 * stays put. In a fragment: only when there is news, swapped into that
 * region's content out of band.
 */
export function Announce(props: { text?: string; oob?: boolean }) {
  if (props.oob) {
    return (
      <p id={ANNOUNCE_ID} hx-swap-oob="innerHTML">
        {props.text}
      </p>
    );
  }
  return (
    <p id={ANNOUNCE_ID} class="visually-hidden" role="status" aria-live="polite">
      {props.text}
    </p>
  );
}
