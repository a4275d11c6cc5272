import { describe, expect, it } from "vitest";
import { csvCell } from "../lib/csv.js";
import type { AuditEvent } from "./audit.js";
import { csvRow, type ExportEnd, exportStream, ndjsonLine } from "./export.js";

const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: "e1",
  type: "login_failed",
  outcome: "failure",
  actorId: null,
  targetId: "u1",
  ip: "203.0.113.5",
  userAgent: "curl/8",
  requestId: null,
  details: { email: "a@b.c" },
  createdAt: new Date("2026-01-02T03:04:05.006Z"),
  ...over,
});

async function* batches(...groups: AuditEvent[][]) {
  yield* groups;
}

async function read(stream: ReadableStream<Uint8Array>): Promise<string> {
  // ignoreBOM: keep the byte order mark, which Response.text() would drop.
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(
    await new Response(stream).arrayBuffer(),
  );
}

describe("audit export", () => {
  it("threat: a cell a spreadsheet would run as a formula is prefixed with an apostrophe", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
      expect(csvCell(`${start}1+1`)).toBe(`"'${start}1+1"`);
    }
    expect(csvCell('a "quoted" word')).toBe('"a ""quoted"" word"');
    expect(csvCell("plain")).toBe('"plain"');
  });

  it("CSV rows and NDJSON lines carry the same fields, nulls empty / null", () => {
    expect(csvRow(event())).toBe(
      '"e1","2026-01-02T03:04:05.006Z","login_failed","auth","failure","","u1","203.0.113.5","curl/8","","{""email"":""a@b.c""}"\r\n',
    );
    expect(JSON.parse(ndjsonLine(event()))).toEqual({
      id: "e1",
      created_at: "2026-01-02T03:04:05.006Z",
      type: "login_failed",
      category: "auth",
      outcome: "failure",
      actor_id: null,
      target_id: "u1",
      ip: "203.0.113.5",
      user_agent: "curl/8",
      request_id: null,
      details: { email: "a@b.c" },
    });
    // A line separator inside a value stays escaped: one event, one line.
    expect(ndjsonLine(event({ userAgent: "a\nb" })).split("\n")).toHaveLength(2);
  });

  it("streams every batch and reports the rows once at the end; an empty export is the header alone", async () => {
    const ends: ExportEnd[] = [];
    const onEnd = async (end: ExportEnd) => {
      ends.push(end);
    };
    const text = await read(
      exportStream({ format: "ndjson", batches: batches([event()], [event({ id: "e2" })]), onEnd }),
    );
    expect(text.trimEnd().split("\n")).toHaveLength(2);
    const empty = await read(exportStream({ format: "csv", batches: batches(), onEnd }));
    expect(empty).toBe(
      '\uFEFF"id","created_at","type","category","outcome","actor_id","target_id","ip","user_agent","request_id","details"\r\n',
    );
    expect(ends).toEqual([
      { rows: 2, complete: true },
      { rows: 0, complete: true },
    ]);
  });

  it("a client that hangs up part way is reported as incomplete, with the rows already sent", async () => {
    const ends: ExportEnd[] = [];
    async function* endless() {
      for (let i = 0; ; i++) yield [event({ id: `e${i}` })];
    }
    const stream = exportStream({
      format: "ndjson",
      batches: endless(),
      onEnd: async (end) => {
        ends.push(end);
      },
    });
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(ends).toHaveLength(1);
    expect(ends[0]?.complete).toBe(false);
    expect(ends[0]?.rows).toBeGreaterThanOrEqual(2);
  });
});
