import { Hono } from "hono";
import type { AuditPage, AuditQuery } from "../../audit/query.js";
import type { Deps } from "../../deps.js";
import { renderPage } from "../../ui/layout.js";
import { accountEmails, readExplorerRequest } from "./explorer-request.js";
import { ExplorerPage } from "./explorer-view.js";

/**
 * GET /events (under /admin/audit): the explorer, filters in the query
 * string (audit/filter.ts), keyset pages through `cursor`. A filter that
 * cannot be used is a 400 with the problems listed beside the form and no
 * rows; never a 500, never a widened search.
 */
export function createExplorerRoutes(deps: Deps, query: AuditQuery): Hono {
  return new Hono().get("/events", async function auditEvents(c) {
    const params = new URL(c.req.url).searchParams;
    const request = await readExplorerRequest(deps, params, { paged: true });
    const { parsed, search, cursor } = request;
    const page: AuditPage = search
      ? await query.page(search, { cursor, limit: parsed.filter.limit })
      : { rows: [], scanCut: false };
    const failed = parsed.problems.length > 0;
    return renderPage(c, {
      title: "Audit events",
      status: failed ? 400 : 200,
      children: (
        <ExplorerPage
          form={parsed.form}
          problems={parsed.problems}
          notices={request.notices}
          page={page}
          paged={cursor !== undefined}
          emails={await accountEmails(deps, page.rows)}
        />
      ),
    });
  });
}
