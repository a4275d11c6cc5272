import { Hono } from "hono";
import { exportStream, isExportFormat } from "../../audit/export.js";
import type { AuditQuery } from "../../audit/query.js";
import type { Deps } from "../../deps.js";
import { currentUser } from "../../http/request.js";
import { readExplorerRequest } from "./explorer-request.js";

const CONTENT_TYPES = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
};

/**
 * GET /export?format=csv|ndjson&<the explorer's filters> (under /admin/audit).
 *
 * Streamed in keyset batches of 1000 rows as the socket takes them, so the
 * process holds one batch whatever the size of the log (1M rows measured in
 * test/flows/audit-export-1m.test.ts).
 *
 * The export is audited when the stream ends, not when it starts: the
 * record then says how many rows actually left and whether the download
 * completed (a client that hangs up is recorded too, through the stream's
 * cancel). Counting up front would read the whole selection twice; the
 * filter is in the record either way.
 */
export function createExportRoutes(deps: Deps, query: AuditQuery): Hono {
  return new Hono().get("/export", async function auditExport(c) {
    const params = new URL(c.req.url).searchParams;
    const format = params.getAll("format")[0] ?? "csv";
    if (!isExportFormat(format)) {
      return c.text("The export format is csv or ndjson.\n", 400, { "Cache-Control": "no-store" });
    }
    const request = await readExplorerRequest(deps, params, { paged: false });
    if (request.parsed.problems.length > 0) {
      const lines = request.parsed.problems.map((p) => `- ${p.message}`).join("\n");
      return c.text(`Some filters could not be used; nothing was exported:\n${lines}\n`, 400, {
        "Cache-Control": "no-store",
      });
    }
    const recorder = deps.audit.forRequest(c);
    const actorId = currentUser(c).id;
    const filter = Object.fromEntries(
      Object.entries(request.parsed.form).filter(([, v]) => v !== ""),
    );
    const search = request.search;
    const empty = (async function* () {})();
    const body = exportStream({
      format,
      batches: search ? query.batches(search, { size: 1000 }) : empty,
      onEnd: async (end) => {
        try {
          await recorder.record({
            type: "audit_exported",
            // An export cut short (the client hung up, a read failed) is a "failure" with the rows sent.
            outcome: end.complete ? "success" : "failure",
            actorId,
            details: { format, rows: end.rows, filter },
          });
        } catch (error) {
          deps.logger.error({ err: error }, "audit export: recording the export failed");
        }
      },
    });
    const day = deps.clock.now().toISOString().slice(0, 10);
    return c.body(body, 200, {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="audit-${day}.${format}"`,
      // Personal data (addresses, IPs): no browser or proxy cache keeps a copy.
      "Cache-Control": "no-store",
    });
  });
}
