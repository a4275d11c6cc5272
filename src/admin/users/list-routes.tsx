import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { withGuards } from "../../http/route-group.js";
import { csvLine } from "../../lib/csv.js";
import { requirePermission } from "../../sessions/guards.js";
import { renderPage } from "../../ui/layout.js";
import { CSV_HEADER, csvRow } from "./csv.js";
import { createUserDirectory } from "./directory.js";
import { decodeCursor, isFiltered, parseUserFilter, SEARCH_MAX_CHARS } from "./filter.js";
import { UserListPage } from "./list-view.js";

/**
 * The user list and its CSV export (mounted under /admin by routes.ts, in
 * front of /users/:id so "export.csv" is never read as an id):
 *
 *   GET /users              the list: ?q=&role=&status=&2fa=&sort=&after=
 *   GET /users/export.csv   every row the same filter matches, as CSV
 *
 * Both only read, so both are GETs; both need users.view on top of the
 * section's admin.access.
 */
export function createUserListRoutes(deps: Deps): Hono {
  const directory = createUserDirectory({ db: deps.db, clock: deps.clock });
  const app = new Hono();

  app.get("/users", async function userList(c) {
    const params = new URL(c.req.url).searchParams;
    const filter = parseUserFilter(params);
    const after = params.getAll("after")[0];
    const [page, counts, matching] = await Promise.all([
      directory.page(filter, { after }),
      directory.counts(),
      isFiltered(filter) ? directory.countMatching(filter) : undefined,
    ]);
    return renderPage(c, {
      title: "Users",
      children: (
        <UserListPage
          filter={filter}
          rows={page.rows}
          counts={counts}
          matching={matching}
          next={page.next}
          paged={decodeCursor(after, filter.sort) !== undefined}
          searchCut={Array.from((params.getAll("q")[0] ?? "").trim()).length > SEARCH_MAX_CHARS}
        />
      ),
    });
  });

  /**
   * Streams the rows in keyset batches as they are read, so memory stays one
   * batch whatever the table's size. The audit record (who exported what
   * filter, how many rows it matched) is written before the first byte: an
   * export that leaves the server is always on record.
   */
  app.get("/users/export.csv", async function exportUsers(c) {
    const filter = parseUserFilter(new URL(c.req.url).searchParams);
    const rows = await directory.countMatching(filter);
    await deps.audit.forRequest(c).record({
      type: "users_exported",
      outcome: "success",
      details: {
        filter: {
          search: filter.search,
          role: filter.role ?? null,
          status: filter.status ?? null,
          twoFactor: filter.twoFactor ?? null,
          sort: filter.sort,
        },
        rows,
      },
    });
    const batches = directory.batches(filter);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // The byte order mark tells spreadsheet apps the file is UTF-8 (names in any script).
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_HEADER)}`));
      },
      async pull(controller) {
        const next = await batches.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value.map(csvRow).join("")));
      },
      async cancel() {
        await batches.return(undefined);
      },
    });
    const day = deps.clock.now().toISOString().slice(0, 10);
    return c.body(body, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="users-${day}.csv"`,
      // Personal data: no browser or proxy cache keeps a copy.
      "Cache-Control": "no-store",
    });
  });

  return withGuards([requirePermission("users.view", deps)], app);
}
