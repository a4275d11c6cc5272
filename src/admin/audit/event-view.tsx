import type { AuditEvent } from "../../audit/audit.js";
import { eventInfo, eventLabel } from "../../audit/catalog.js";
import { Card } from "../../ui/components/card.js";
import { SummaryRow } from "../../ui/components/summary.js";
import { AdminPage } from "../layout.js";
import { CategoryBadge, eventsWhere, OutcomeBadge, Who } from "./event-parts.js";
import { CATEGORY_LABELS, EVENTS_PATH } from "./explorer-filters.js";

const SEVERITY_LABELS: Readonly<Record<string, string>> = {
  info: "Routine",
  notice: "Notice: a change worth seeing",
  warning: "Warning: a sign of trouble or a weakened account",
  critical: "Critical: an operator should look",
};

/** GET /admin/audit/events/:id: one event, every field, its details as indented JSON. */
export function EventPage(props: { event: AuditEvent; emails: ReadonlyMap<string, string> }) {
  const { event, emails } = props;
  const info = eventInfo(event.type);
  const users = [
    ...new Set([event.actorId, event.targetId].filter((id): id is string => id !== null)),
  ];
  return (
    <AdminPage
      title={eventLabel(event.type)}
      description={info?.description ?? "An event type this version does not describe."}
      breadcrumbs={[
        { label: "Admin", href: "/admin" },
        { label: "Audit", href: "/admin/audit" },
        { label: "Events", href: EVENTS_PATH },
        { label: eventLabel(event.type) },
      ]}
    >
      <Card title="Event">
        <dl class="summary audit-event" id="audit-event">
          <SummaryRow label="Time (UTC)">
            <time datetime={event.createdAt.toISOString()}>{event.createdAt.toISOString()}</time>
          </SummaryRow>
          <SummaryRow label="Type">
            <code>{event.type}</code> <CategoryBadge type={event.type} />
          </SummaryRow>
          {info && <SummaryRow label="Severity">{SEVERITY_LABELS[info.severity]}</SummaryRow>}
          <SummaryRow label="Outcome">
            <OutcomeBadge outcome={event.outcome} />
          </SummaryRow>
          <SummaryRow label="Actor">
            <Who id={event.actorId} emails={emails} />
          </SummaryRow>
          <SummaryRow label="Target">
            <Who id={event.targetId} emails={emails} />
          </SummaryRow>
          <SummaryRow label="IP">{event.ip ?? <span class="muted">—</span>}</SummaryRow>
          <SummaryRow label="Browser">{event.userAgent ?? <span class="muted">—</span>}</SummaryRow>
          <SummaryRow label="Request id">
            {event.requestId ? (
              <code class="audit-id">{event.requestId}</code>
            ) : (
              <span class="muted">—</span>
            )}
          </SummaryRow>
          <SummaryRow label="Event id">
            <code class="audit-id">{event.id}</code>
          </SummaryRow>
        </dl>
      </Card>
      <Card title="Details">
        {/* Escaped by JSX: a value holding markup shows as text. Focusable so keyboard users can scroll it. */}
        <pre class="audit-details" id="audit-details" tabindex={0}>
          {JSON.stringify(event.details, null, 2)}
        </pre>
      </Card>
      <Card title="Related events">
        <ul class="audit-related" id="audit-related">
          {event.ip && (
            <li>
              <a href={eventsWhere("ip", event.ip)}>Events from this IP</a> ({event.ip})
            </li>
          )}
          {users.map((id) => (
            <li>
              <a href={eventsWhere("user", id)}>Events of this user</a> ({emails.get(id) ?? id})
            </li>
          ))}
          {info && (
            <li>
              <a href={eventsWhere("category", info.category)}>
                {CATEGORY_LABELS[info.category]} events
              </a>
            </li>
          )}
          <li>
            <a href={eventsWhere("type", event.type)}>Every “{eventLabel(event.type)}” event</a>
          </li>
        </ul>
      </Card>
    </AdminPage>
  );
}
