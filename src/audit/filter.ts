import { AUDIT_CATEGORIES, type AuditCategory, eventInfo, typesInCategory } from "./catalog.js";
import type { AuditOutcome } from "./events.js";
import { type IpMatch, parseIpMatch } from "./ip-match.js";

/**
 * The audit explorer's filter, read from a query string (the form is a GET,
 * so a view is a link an admin can share). Unlike the user list, a value
 * that does not parse is not silently dropped: an audit search that quietly
 * widened ("unknown type" read as "every type") would show an investigator
 * events they did not ask for and believe were matches. Each bad value
 * becomes a problem the page lists beside the form, and the result is empty.
 *
 * None of it reaches SQL except as a bound parameter (query.ts).
 */
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ["success", "failure", "denied", "info"];

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
export const Q_MAX_CHARS = 200;
export const USER_MAX_CHARS = 254;
const IP_MAX_CHARS = 64;
const DATE_MAX_CHARS = 40;
const MAX_TYPES = 20;
const DAY_MS = 86_400_000;
/** Free text and IP searches read `details`/`ip` row by row (no index): they get a time window. */
export const SCAN_DEFAULT_DAYS = 30;
export const SCAN_MAX_DAYS = 90;

/** The query-string names of the filter, in the order a shared link lists them. */
export const FILTER_PARAMS = [
  "type",
  "category",
  "outcome",
  "user",
  "ip",
  "from",
  "to",
  "q",
] as const;

export interface AuditFilter {
  /** Known types asked for (empty: any). */
  types: string[];
  category?: AuditCategory;
  outcome?: AuditOutcome;
  /** An email or a user id, as typed (the routes resolve an email to an id). */
  user?: string;
  ip?: IpMatch;
  /** Inclusive lower bound. */
  from?: Date;
  /** Exclusive upper bound (a date "to" means up to the end of that day). */
  to?: Date;
  /** Free text searched in details, as typed (trimmed, no control characters). */
  q: string;
  limit: number;
}

export interface FilterProblem {
  field: (typeof FILTER_PARAMS)[number] | "limit" | "cursor";
  message: string;
}

export interface ParsedAuditFilter {
  filter: AuditFilter;
  /** Values that could not be used: the page lists them and shows no rows. */
  problems: FilterProblem[];
  /** Things the page should say about how the filter was applied (a window it added). */
  notices: string[];
  /** What the form shows back: each parameter as typed, clipped. */
  form: Record<string, string>;
}

/** Trimmed, NFKC, control characters turned to spaces (PostgreSQL refuses NUL in text). */
export function cleanText(raw: string): string {
  return raw
    .normalize("NFKC")
    .replace(/\p{Cc}/gu, " ")
    .trim();
}

const chars = (value: string) => Array.from(value).length;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?)?$/;

/**
 * A UTC date ("2026-12-02") or datetime ("2026-12-02T10:30", seconds and a
 * trailing Z optional), checked field by field so "2026-02-31" is refused
 * rather than rolled into March. `end` makes a date-only value mean the end
 * of that day (for "to").
 */
export function parseUtc(raw: string, end = false): Date | undefined {
  const m = DATE_RE.exec(raw);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  const ms = Number((m[7] ?? "0").padEnd(3, "0"));
  if (year < 1970 || year > 9999 || hour > 23 || minute > 59 || second > 59) return undefined;
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  if (at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return undefined;
  const dateOnly = m[4] === undefined;
  return end && dateOnly ? new Date(at.getTime() + DAY_MS) : end ? new Date(at.getTime() + 1) : at;
}

const isOutcome = (value: string): value is AuditOutcome =>
  (AUDIT_OUTCOMES as readonly string[]).includes(value);
const isCategory = (value: string): value is AuditCategory =>
  (AUDIT_CATEGORIES as readonly string[]).includes(value);

/** Shown in a message: clipped, so a 10 kB parameter does not become a 10 kB page. */
export function quote(value: string): string {
  const shown = Array.from(value).slice(0, 40).join("");
  return `“${shown}${chars(value) > 40 ? "…" : ""}”`;
}

/** The filter of a query string; `now` anchors the default window of free text and IP searches. */
export function parseAuditFilter(params: URLSearchParams, now: Date): ParsedAuditFilter {
  const problems: FilterProblem[] = [];
  const notices: string[] = [];
  const form: Record<string, string> = {};
  const first = (name: string): string | undefined => {
    const raw = params.getAll(name)[0];
    if (raw === undefined) return undefined;
    const value = cleanText(raw);
    form[name] = Array.from(value).slice(0, 300).join("");
    return value === "" ? undefined : value;
  };
  const filter: AuditFilter = { types: [], q: "", limit: DEFAULT_LIMIT };

  const types = params
    .getAll("type")
    .flatMap((raw) => cleanText(raw).split(","))
    .map((t) => t.trim())
    .filter((t) => t !== "");
  form.type = types.join(",");
  if (types.length > MAX_TYPES) {
    problems.push({ field: "type", message: `Choose at most ${MAX_TYPES} event types.` });
  } else {
    for (const type of new Set(types)) {
      if (eventInfo(type)) filter.types.push(type);
      else problems.push({ field: "type", message: `${quote(type)} is not an event type.` });
    }
  }

  const category = first("category");
  if (category !== undefined) {
    if (isCategory(category)) filter.category = category;
    else problems.push({ field: "category", message: `${quote(category)} is not a category.` });
  }

  const outcome = first("outcome");
  if (outcome !== undefined) {
    if (isOutcome(outcome)) filter.outcome = outcome;
    else
      problems.push({
        field: "outcome",
        message: `${quote(outcome)} is not an outcome (success, failure, denied or info).`,
      });
  }

  const user = first("user");
  if (user !== undefined) {
    if (chars(user) > USER_MAX_CHARS) {
      problems.push({
        field: "user",
        message: `A user is an email or an id of at most ${USER_MAX_CHARS} characters.`,
      });
    } else filter.user = user;
  }

  const ip = first("ip");
  if (ip !== undefined) {
    const match = chars(ip) > IP_MAX_CHARS ? undefined : parseIpMatch(ip);
    if (match) filter.ip = match;
    else
      problems.push({
        field: "ip",
        message: `${quote(ip)} is not an IP address or network (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8:1:2::/64).`,
      });
  }

  for (const [field, end] of [
    ["from", false],
    ["to", true],
  ] as const) {
    const raw = first(field);
    if (raw === undefined) continue;
    const at = chars(raw) > DATE_MAX_CHARS ? undefined : parseUtc(raw, end);
    if (at) filter[field] = at;
    else
      problems.push({
        field,
        message: `${quote(raw)} is not a date: write 2026-12-02 or 2026-12-02T14:30 (UTC).`,
      });
  }
  if (filter.from && filter.to && filter.from >= filter.to) {
    problems.push({ field: "from", message: "“From” must be before “to”." });
  }

  const q = first("q");
  if (q !== undefined) {
    if (chars(q) > Q_MAX_CHARS) {
      problems.push({
        field: "q",
        message: `Search text is limited to ${Q_MAX_CHARS} characters.`,
      });
    } else filter.q = q;
  }

  const limit = first("limit");
  if (limit !== undefined) {
    const n = /^\d{1,6}$/.test(limit) ? Number(limit) : Number.NaN;
    if (n >= 1 && n <= MAX_LIMIT) filter.limit = n;
    else
      problems.push({
        field: "limit",
        message: `Rows per page must be a whole number from 1 to ${MAX_LIMIT}.`,
      });
  }

  if (problems.length === 0 && (filter.q !== "" || filter.ip !== undefined)) {
    boundWindow(filter, now, notices);
  }
  return { filter, problems, notices, form };
}

/**
 * Free text and IP searches read each row of their window (details and ip
 * are not indexed), so their window is bounded: the last 30 days unless
 * "from" says otherwise, and never more than 90 days.
 */
function boundWindow(filter: AuditFilter, now: Date, notices: string[]): void {
  const to = filter.to ?? now;
  const day = (at: Date) => at.toISOString().slice(0, 10);
  if (!filter.from) {
    filter.from = new Date(to.getTime() - SCAN_DEFAULT_DAYS * DAY_MS);
    notices.push(
      `Text and IP searches cover ${SCAN_DEFAULT_DAYS} days unless you give a “from” date: searched from ${day(filter.from)}.`,
    );
  } else if (to.getTime() - filter.from.getTime() > SCAN_MAX_DAYS * DAY_MS) {
    filter.from = new Date(to.getTime() - SCAN_MAX_DAYS * DAY_MS);
    notices.push(
      `Text and IP searches cover at most ${SCAN_MAX_DAYS} days: searched from ${day(filter.from)}.`,
    );
  }
}

/** The event types a filter admits: its types within its category; undefined means any. */
export function admittedTypes(filter: AuditFilter): string[] | undefined {
  if (!filter.category) return filter.types.length > 0 ? filter.types : undefined;
  const inCategory: readonly string[] = typesInCategory(filter.category);
  return filter.types.length > 0
    ? filter.types.filter((t) => inCategory.includes(t))
    : [...inCategory];
}

/** Whether any value narrows the events (the limit alone does not). */
export function isFiltered(form: Record<string, string>): boolean {
  return FILTER_PARAMS.some((name) => (form[name] ?? "") !== "");
}

/** The query string of a parsed form (empty values left out), with extra parameters. */
export function filterQuery(
  form: Record<string, string>,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const name of [...FILTER_PARAMS, "limit"]) {
    const value = form[name];
    if (value !== undefined && value !== "") params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}
