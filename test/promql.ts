/** A metric selector of a PromQL expression: its name and its label matchers. */
export interface Selector {
  name: string;
  matchers: Array<{ label: string; op: "=" | "!=" | "=~" | "!~"; value: string }>;
}

const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset"]);

/**
 * The metric selectors an expression reads, enough for the expressions of
 * deploy/ (not a full PromQL parser): grouping clauses and range durations are
 * dropped, an identifier followed by "(" is a function, one followed by
 * "{...}" carries matchers, numbers are skipped.
 */
export function metricSelectors(expr: string): Selector[] {
  const cleaned = expr
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, " ");
  const tokens = cleaned.match(
    /\{[^}]*\}|[a-zA-Z_:][a-zA-Z0-9_:]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\S/g,
  );
  const selectors: Selector[] = [];
  for (let i = 0; i < (tokens?.length ?? 0); i++) {
    const token = tokens?.[i] ?? "";
    const next = tokens?.[i + 1] ?? "";
    if (!/^[a-zA-Z_:]/.test(token) || KEYWORDS.has(token) || next === "(") continue;
    const matchers = next.startsWith("{") ? parseMatchers(next) : [];
    selectors.push({ name: token, matchers });
  }
  return selectors;
}

function parseMatchers(braces: string): Selector["matchers"] {
  const found: Selector["matchers"] = [];
  for (const m of braces.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
    found.push({
      label: m[1] ?? "",
      op: (m[2] ?? "=") as Selector["matchers"][number]["op"],
      value: m[3] ?? "",
    });
  }
  return found;
}
