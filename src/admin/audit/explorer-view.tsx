import type { AuditEvent } from "../../audit/audit.js";
import { eventLabel } from "../../audit/catalog.js";
import { encodeCursor } from "../../audit/cursor.js";
import { type FilterProblem, filterQuery, isFiltered } from "../../audit/filter.js";
import type { AuditPage } from "../../audit/query.js";
import { ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Icon } from "../../ui/components/icon.js";
import { AdminPage } from "../layout.js";
import { CategoryBadge, eventPath, OutcomeBadge, shortDetails, utc, Who } from "./event-parts.js";
import { EVENTS_PATH, ExplorerFilters, FilterProblems } from "./explorer-filters.js";

export interface ExplorerProps {
  form: Record<string, string>;
  problems: readonly FilterProblem[];
  notices: readonly string[];
  page: AuditPage;
  /** Whether this page was reached through a cursor (not the newest events). */
  paged: boolean;
  emails: ReadonlyMap<string, string>;
}

/**
 * One event per row; on a phone each row becomes a card of labelled lines
 * (.data-table in app.css), so nothing scrolls sideways.
 */
function EventsTable(props: { rows: readonly AuditEvent[]; emails: ReadonlyMap<string, string> }) {
  return (
    <div class="table-wrap">
      <table class="table data-table audit-table" id="audit-events">
        <caption class="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Event</th>
            <th scope="col">Outcome</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">IP</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((event) => (
            <tr data-event-id={event.id}>
              <td data-label="Time" class="audit-table__time">
                <a href={eventPath(event.id)} class="audit-event-link">
                  <time datetime={event.createdAt.toISOString()}>{utc(event.createdAt)}</time>
                </a>
              </td>
              <td data-label="Event">
                <span class="audit-table__event">
                  <a href={eventPath(event.id)}>{eventLabel(event.type)}</a>{" "}
                  <CategoryBadge type={event.type} />
                </span>
              </td>
              <td data-label="Outcome">
                <OutcomeBadge outcome={event.outcome} />
              </td>
              <td data-label="Actor">
                <Who id={event.actorId} emails={props.emails} />
              </td>
              <td data-label="Target">
                <Who id={event.targetId} emails={props.emails} />
              </td>
              <td data-label="IP">{event.ip ?? <span class="muted">—</span>}</td>
              <td data-label="Details" class="audit-table__details">
                {shortDetails(event.details)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Pager(props: { form: Record<string, string>; page: AuditPage; paged: boolean }) {
  const { page, form } = props;
  if (!props.paged && !page.older) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {props.paged && (
        <a class="btn btn--secondary btn--sm" href={`${EVENTS_PATH}${filterQuery(form)}`}>
          Newest
        </a>
      )}
      {page.newer && (
        <a
          class="btn btn--secondary btn--sm"
          rel="prev"
          href={`${EVENTS_PATH}${filterQuery(form, { cursor: encodeCursor(page.newer) })}`}
        >
          Newer
        </a>
      )}
      {page.older && (
        <a
          class="btn btn--secondary btn--sm pager__next"
          rel="next"
          href={`${EVENTS_PATH}${filterQuery(form, { cursor: encodeCursor(page.older) })}`}
        >
          Older
        </a>
      )}
    </nav>
  );
}

function Empty(props: { filtered: boolean; paged: boolean; failed: boolean }) {
  const title = props.failed
    ? "No events shown."
    : props.paged
      ? "No more events this way."
      : props.filtered
        ? "No events match the filter."
        : "No events recorded yet.";
  return (
    <div class="empty-state" id="audit-empty">
      <p class="empty-state__title">{title}</p>
      {props.failed ? (
        <p>Correct the filters listed above and apply them again.</p>
      ) : (
        props.filtered && <p>Try fewer filters, a wider date range or a shorter search.</p>
      )}
    </div>
  );
}

export function ExplorerPage(props: ExplorerProps) {
  const { form, page } = props;
  const query = filterQuery(form);
  const exportHref = (format: string) =>
    `/admin/audit/export${query === "" ? `?format=${format}` : `${query}&format=${format}`}`;
  const failed = props.problems.length > 0;
  return (
    <AdminPage
      title="Audit events"
      description="Every recorded event, newest first. The filter is part of the link, so a view can be shared."
      breadcrumbs={[
        { label: "Admin", href: "/admin" },
        { label: "Audit", href: "/admin/audit" },
        { label: "Events" },
      ]}
      actions={
        !failed && (
          <div class="audit-export">
            <span class="audit-export__label">Export</span>
            <ButtonLink
              href={exportHref("csv")}
              variant="secondary"
              size="sm"
              attrs={{ download: "" }}
            >
              <Icon name="download" /> CSV
            </ButtonLink>
            <ButtonLink
              href={exportHref("ndjson")}
              variant="secondary"
              size="sm"
              attrs={{ download: "" }}
            >
              <Icon name="download" /> NDJSON
            </ButtonLink>
          </div>
        )
      }
    >
      <Card>
        <div class="stack">
          <FilterProblems problems={props.problems} />
          {props.notices.length > 0 && (
            <ul class="audit-notices" id="filter-notices">
              {props.notices.map((n) => (
                <li>{n}</li>
              ))}
            </ul>
          )}
          <ExplorerFilters form={form} problems={props.problems} />
        </div>
      </Card>
      {page.scanCut && (
        <p class="audit-notices" id="scan-cut">
          This page stopped after checking 20,000 events of the window for the IP network; “Older”
          goes on from there.
        </p>
      )}
      {page.rows.length === 0 ? (
        <Empty filtered={isFiltered(form)} paged={props.paged} failed={failed} />
      ) : (
        <EventsTable rows={page.rows} emails={props.emails} />
      )}
      <Pager form={form} page={page} paged={props.paged} />
    </AdminPage>
  );
}
