import { type AuditCursor, decodeCursor } from "../../audit/cursor.js";
import type { ParsedAuditFilter } from "../../audit/filter.js";
import { admittedTypes, parseAuditFilter, quote } from "../../audit/filter.js";
import type { AuditSearch } from "../../audit/query.js";
import type { Deps } from "../../deps.js";

/**
 * What the explorer and the export read from a query string: the parsed
 * filter, and the search it turns into once the user is resolved (an email
 * to an account id). `search` is undefined when nothing can match: a value
 * that did not parse (listed in `parsed.problems`), or an email no account
 * has (said in `notices`). Either way the page shows no rows, never a
 * silently widened result.
 */
export interface ExplorerRequest {
  parsed: ParsedAuditFilter;
  search: AuditSearch | undefined;
  cursor: AuditCursor | undefined;
  notices: string[];
}

export async function readExplorerRequest(
  deps: Pick<Deps, "users" | "clock">,
  params: URLSearchParams,
  options: { paged: boolean },
): Promise<ExplorerRequest> {
  const parsed = parseAuditFilter(params, deps.clock.now());
  const notices = [...parsed.notices];
  let cursor: AuditCursor | undefined;
  const rawCursor = params.getAll("cursor")[0];
  if (options.paged && rawCursor !== undefined && rawCursor !== "") {
    cursor = decodeCursor(rawCursor);
    if (!cursor) {
      parsed.problems.push({
        field: "cursor",
        message: "The page link is broken or was cut: start again from the newest events.",
      });
    }
  }
  if (parsed.problems.length > 0) return { parsed, search: undefined, cursor, notices };

  const { filter } = parsed;
  let userId: string | undefined;
  if (filter.user !== undefined) {
    if (filter.user.includes("@")) {
      const user = await deps.users.findByEmail(filter.user);
      if (!user) {
        notices.push(
          `No account has the address ${quote(filter.user)}. Events of a deleted account are found by its id; an address typed at a failed sign-in, with the search box.`,
        );
        return { parsed, search: undefined, cursor, notices };
      }
      userId = user.id;
    } else userId = filter.user;
  }
  const types = admittedTypes(filter);
  if (types?.length === 0) {
    notices.push("None of the chosen event types is in the chosen category.");
  }
  return {
    parsed,
    cursor,
    notices,
    search: {
      types,
      outcome: filter.outcome,
      userId,
      ip: filter.ip,
      from: filter.from,
      to: filter.to,
      q: filter.q === "" ? undefined : filter.q,
    },
  };
}

/** Addresses of the accounts the events name (one statement); gone accounts are left out. */
export async function accountEmails(
  deps: Pick<Deps, "db">,
  events: ReadonlyArray<{ actorId: string | null; targetId: string | null }>,
): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const event of events) {
    for (const id of [event.actorId, event.targetId]) {
      if (id && id.length <= 100) ids.add(id);
    }
  }
  if (ids.size === 0) return new Map();
  const list = [...ids];
  const rows = await deps.db.query<{ id: string; email: string }>(
    `SELECT id, email FROM users WHERE id IN (${list.map((_, i) => `$${i + 1}`).join(", ")})`,
    list,
  );
  return new Map(rows.map((row) => [row.id, row.email]));
}
