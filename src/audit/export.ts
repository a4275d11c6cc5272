import { csvLine } from "../lib/csv.js";
import type { AuditEvent } from "./audit.js";
import { eventInfo } from "./catalog.js";

/**
 * Audit events as a file: CSV (for a spreadsheet) or NDJSON (one JSON object
 * a line, for jq and log tools), streamed batch by batch so memory stays one
 * batch whatever the number of rows.
 */
export const EXPORT_FORMATS = ["csv", "ndjson"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === "string" && (EXPORT_FORMATS as readonly string[]).includes(value);
}

export const AUDIT_CSV_HEADER = [
  "id",
  "created_at",
  "type",
  "category",
  "outcome",
  "actor_id",
  "target_id",
  "ip",
  "user_agent",
  "request_id",
  "details",
] as const;

/** One event as the export's object: snake_case names, as the CSV header and the table. */
export function exportObject(event: AuditEvent): Record<string, unknown> {
  return {
    id: event.id,
    created_at: event.createdAt.toISOString(),
    type: event.type,
    category: eventInfo(event.type)?.category ?? null,
    outcome: event.outcome,
    actor_id: event.actorId,
    target_id: event.targetId,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    details: event.details,
  };
}

export function csvRow(event: AuditEvent): string {
  const o = exportObject(event);
  return csvLine(
    AUDIT_CSV_HEADER.map((name) => {
      const value = o[name];
      if (value === null || value === undefined) return "";
      return typeof value === "string" ? value : JSON.stringify(value);
    }),
  );
}

export function ndjsonLine(event: AuditEvent): string {
  return `${JSON.stringify(exportObject(event))}\n`;
}

/** How the stream ended: every row sent, or the client went away (or a read failed) part way. */
export interface ExportEnd {
  rows: number;
  complete: boolean;
}

/**
 * A byte stream of the batches in `format`. `pull` reads the next batch only
 * when the socket has taken the previous one (backpressure), so a slow
 * client holds one batch in memory, not the whole export. `onEnd` runs once,
 * whether the stream finished, was cancelled or failed.
 */
export function exportStream(options: {
  format: ExportFormat;
  batches: AsyncGenerator<AuditEvent[]>;
  onEnd: (end: ExportEnd) => Promise<void>;
}): ReadableStream<Uint8Array> {
  const { format, batches } = options;
  const encoder = new TextEncoder();
  const line = format === "csv" ? csvRow : ndjsonLine;
  let rows = 0;
  let ended = false;
  const end = async (complete: boolean) => {
    if (ended) return;
    ended = true;
    await options.onEnd({ rows, complete });
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // The byte order mark tells spreadsheet apps the file is UTF-8 (names in any script).
        if (format === "csv")
          controller.enqueue(encoder.encode(`\uFEFF${csvLine(AUDIT_CSV_HEADER)}`));
      },
      async pull(controller) {
        try {
          const next = await batches.next();
          if (next.done) {
            await end(true);
            controller.close();
            return;
          }
          rows += next.value.length;
          controller.enqueue(encoder.encode(next.value.map(line).join("")));
        } catch (error) {
          await end(false).catch(() => {});
          controller.error(error);
        }
      },
      async cancel() {
        await batches.return(undefined);
        await end(false);
      },
    },
    // Two batches at most: the next statement runs while the socket sends the last one.
    { highWaterMark: 2 },
  );
}
