import { eventInfo } from "../../audit/catalog.js";
import { CATEGORY_LABELS, EVENTS_PATH, OUTCOME_LABELS } from "./explorer-filters.js";

/** Pieces the explorer's table and one event's page share: badges, who, links, short details. */

export const eventPath = (id: string) => `${EVENTS_PATH}/${encodeURIComponent(id)}`;

/** A view of events with one filter value, as a link. */
export const eventsWhere = (name: string, value: string) =>
  `${EVENTS_PATH}?${new URLSearchParams({ [name]: value }).toString()}`;

const OUTCOME_BADGE: Readonly<Record<string, string>> = {
  success: "badge badge--ok",
  failure: "badge badge--danger",
  denied: "badge badge--warn",
  info: "badge",
};

export function OutcomeBadge(props: { outcome: string }) {
  return (
    <span class={OUTCOME_BADGE[props.outcome] ?? "badge"}>
      {OUTCOME_LABELS[props.outcome] ?? props.outcome}
    </span>
  );
}

export function CategoryBadge(props: { type: string }) {
  const info = eventInfo(props.type);
  return info ? (
    <span class="badge badge--info">{CATEGORY_LABELS[info.category]}</span>
  ) : (
    <span class="badge">Unknown</span>
  );
}

/**
 * Who an id names: the account's address linked to its admin page when the
 * account exists; otherwise the id as stored (a deleted account, the CLI).
 */
export function Who(props: { id: string | null; emails: ReadonlyMap<string, string> }) {
  if (props.id === null) return <span class="muted">—</span>;
  const email = props.emails.get(props.id);
  if (email) return <a href={`/admin/users/${encodeURIComponent(props.id)}`}>{email}</a>;
  return <code class="audit-id">{props.id}</code>;
}

/** Details on one line: "key: value · key: value", clipped; the event's page has them all. */
export function shortDetails(details: Record<string, unknown>, max = 120): string {
  const text = Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

export function utc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")}`;
}
