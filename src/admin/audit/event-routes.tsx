import { Hono } from "hono";
import { eventLabel } from "../../audit/catalog.js";
import type { AuditQuery } from "../../audit/query.js";
import type { Deps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { renderPage } from "../../ui/layout.js";
import { EventPage } from "./event-view.js";
import { accountEmails } from "./explorer-request.js";

/** GET /events/:id (under /admin/audit): one event; an unknown or malformed id is the 404 page. */
export function createEventRoutes(deps: Deps, query: AuditQuery): Hono {
  return new Hono().get("/events/:id", async function auditEvent(c) {
    const event = await query.find(c.req.param("id"));
    if (!event)
      throw new AppError("NOT_FOUND", { message: "There is no audit event with that id." });
    return renderPage(c, {
      title: `${eventLabel(event.type)} · Audit`,
      children: <EventPage event={event} emails={await accountEmails(deps, [event])} />,
    });
  });
}
