import { eventInfo, eventLabel } from "../../audit/catalog.js";
import { FEED_HOURS, type FeedEvent, SECURITY_FEED_TYPES } from "../../audit/security-feed.js";

/** The dashboard's security feed: the last 24 hours of failures and security events. */

const EVENTS_PATH = "/admin/audit/events";

const SEVERITY_BADGE: Readonly<Record<string, string>> = {
  critical: "badge badge--danger",
  warning: "badge badge--warn",
  notice: "badge badge--info",
  info: "badge",
};

/** The explorer's date format (UTC, to the minute). */
const minute = (at: Date) => at.toISOString().slice(0, 16);

/** The explorer showing every event of the feed's kinds since `since`. */
export function feedExplorerHref(since: Date): string {
  const query = new URLSearchParams({ type: SECURITY_FEED_TYPES.join(","), from: minute(since) });
  return `${EVENTS_PATH}?${query.toString()}`;
}

/**
 * A details value worth a word in the feed (a failure's reason, a limit's
 * policy, a CSP directive, a refused path), as words: "wrong_password" reads
 * "wrong password". Clipped; the event's page has everything.
 */
function why(event: FeedEvent): string | undefined {
  // "No such account" already says it.
  if (event.targetId === null && event.details.reason === "unknown_email") return undefined;
  for (const key of ["reason", "policy", "directive", "path"]) {
    const value = event.details[key];
    if (typeof value === "string" && value !== "") {
      const words = key === "path" ? value : value.replaceAll("_", " ");
      const chars = Array.from(words);
      return chars.length > 60 ? `${chars.slice(0, 59).join("")}…` : words;
    }
  }
  return undefined;
}

/** "23:59", with "yesterday" under it when the event is from the UTC day before `now`. */
function When(props: { at: Date; now: Date }) {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return (
    <time class="audit-feed__time" datetime={props.at.toISOString()}>
      {props.at.toISOString().slice(11, 16)}
      {day(props.at) !== day(props.now) && <span class="audit-feed__day">yesterday</span>}
    </time>
  );
}

function Account(props: { event: FeedEvent }) {
  const { targetId, targetEmail } = props.event;
  if (targetId !== null && targetEmail !== null) {
    return <a href={`/admin/users/${encodeURIComponent(targetId)}`}>{targetEmail}</a>;
  }
  if (targetId !== null) return <span class="muted">Deleted account</span>;
  if (props.event.type === "login_failed") return <span class="muted">No such account</span>;
  return null;
}

export function SecurityFeed(props: { events: FeedEvent[]; total: number; since: Date }) {
  const { events, total } = props;
  const now = new Date(props.since.getTime() + FEED_HOURS * 3_600_000);
  return (
    <section class="card audit-feed" aria-labelledby="feed-title">
      <div class="audit-feed__head">
        <h2 class="card__title" id="feed-title">
          Security events, last {FEED_HOURS} hours
        </h2>
        <a href={feedExplorerHref(props.since)}>See all in the explorer</a>
      </div>
      {events.length === 0 ? (
        <p class="muted">
          No failed sign-ins, lockouts, rate limits, CSRF or policy reports in the last {FEED_HOURS}{" "}
          hours.
        </p>
      ) : (
        <>
          <ol class="audit-feed__list">
            {events.map((event) => {
              const severity = eventInfo(event.type)?.severity ?? "info";
              const reason = why(event);
              const account = <Account event={event} />;
              return (
                <li class="audit-feed__item">
                  <When at={event.createdAt} now={now} />
                  <span class="audit-feed__what">
                    <a href={`${EVENTS_PATH}/${encodeURIComponent(event.id)}`}>
                      {eventLabel(event.type)}
                    </a>{" "}
                    <span class={SEVERITY_BADGE[severity] ?? "badge"}>{severity}</span>
                  </span>
                  <span class="audit-feed__meta">
                    {account}
                    {event.ip !== null && <code>{event.ip}</code>}
                    {reason !== undefined && <span class="muted">{reason}</span>}
                  </span>
                </li>
              );
            })}
          </ol>
          <p class="stats__note">
            {total > events.length
              ? `The ${events.length} newest of ${total}. `
              : `${total} ${total === 1 ? "event" : "events"}. `}
            Times in UTC.
          </p>
        </>
      )}
    </section>
  );
}
