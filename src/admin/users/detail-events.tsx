import type { AuditEvent } from "../../audit/audit.js";
import { eventLabel } from "../../audit/catalog.js";
import { formatUtc } from "../../mail/templates/index.js";
import { describeDevice } from "../../sessions/device.js";
import type { ActorName } from "./detail-data.js";

const OUTCOME_BADGE: Readonly<Record<string, string>> = {
  success: "badge badge--ok",
  failure: "badge badge--warn",
  denied: "badge badge--warn",
  info: "badge",
};

/** Details worth a reader's eye, as "key: value"; nested values as compact JSON, clipped. */
function detailPairs(details: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .slice(0, 6)
    .map(([key, value]) => {
      const text = typeof value === "object" ? JSON.stringify(value) : String(value);
      // "sessions_revoked" and "sessionsRevoked" both read "sessions revoked".
      const label = key
        .replace(/_/g, " ")
        .replace(/([a-z])([A-Z])/g, "$1 $2")
        .toLowerCase();
      return [label, text.length > 80 ? `${text.slice(0, 79)}…` : text];
    });
}

/** Who did it, from this account's point of view. */
function actorText(
  event: AuditEvent,
  userId: string,
  actors: ReadonlyMap<string, ActorName>,
): { text: string; href?: string } | undefined {
  const { actorId } = event;
  if (actorId === userId) return { text: "this user" };
  // No actor: the CLI (it says so), or no one signed in (a failed sign-in, a lock it caused).
  if (actorId === null) return event.details.via === "cli" ? { text: "the CLI" } : undefined;
  if (actorId.startsWith("deleted:")) return { text: "a deleted account" };
  const known = actors.get(actorId);
  if (known) return { text: known.name, href: `/admin/users/${actorId}` };
  return { text: "an unknown account" };
}

/** One line of the user's history: what, when, by whom, from where, and its details. */
function EventItem(props: {
  event: AuditEvent;
  userId: string;
  actors: ReadonlyMap<string, ActorName>;
}) {
  const { event } = props;
  const actor = actorText(event, props.userId, props.actors);
  const pairs = detailPairs(event.details);
  return (
    <li class="user-events__item">
      <div class="user-events__head">
        <span class="user-events__what">{eventLabel(event.type)}</span>{" "}
        <span class={OUTCOME_BADGE[event.outcome] ?? "badge"}>{event.outcome}</span>
      </div>
      <p class="user-events__meta">
        <time datetime={event.createdAt.toISOString()}>{formatUtc(event.createdAt)}</time>
        {actor && " · by "}
        {actor?.href ? <a href={actor.href}>{actor.text}</a> : actor?.text}
        {event.ip && ` · ${event.ip}`}
        {event.userAgent && ` · ${describeDevice(event.userAgent)}`}
      </p>
      {pairs.length > 0 && (
        <dl class="user-events__details">
          {pairs.map(([key, value]) => (
            <div class="user-events__detail">
              <dt>{key}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}

/**
 * The audit explorer filtered to this account (src/admin/audit builds it):
 * the card lists the latest events only, the explorer has them all with
 * filters and paging. The link is the contract between the two pages.
 */
export function userEventsHref(userId: string): string {
  return `/admin/audit/events?user=${encodeURIComponent(userId)}`;
}

/** The account's latest events, newest first, and the way to the rest. */
export function UserEvents(props: {
  events: readonly AuditEvent[];
  userId: string;
  actors: ReadonlyMap<string, ActorName>;
}) {
  if (props.events.length === 0) {
    return <p id="user-events-empty">Nothing recorded for this account yet.</p>;
  }
  return (
    <div class="stack">
      <ol class="user-events" id="user-events">
        {props.events.map((event) => (
          <EventItem event={event} userId={props.userId} actors={props.actors} />
        ))}
      </ol>
      <p class="user-events__more">
        <a href={userEventsHref(props.userId)} id="user-events-all">
          See all events of this account
        </a>
      </p>
    </div>
  );
}
