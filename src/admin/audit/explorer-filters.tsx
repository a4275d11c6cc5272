import {
  AUDIT_CATEGORIES,
  type AuditCategory,
  eventLabel,
  typesInCategory,
} from "../../audit/catalog.js";
import {
  AUDIT_OUTCOMES,
  type FilterProblem,
  filterQuery,
  isFiltered,
  MAX_LIMIT,
  Q_MAX_CHARS,
  SCAN_DEFAULT_DAYS,
  SCAN_MAX_DAYS,
  USER_MAX_CHARS,
} from "../../audit/filter.js";
import { Alert } from "../../ui/components/alert.js";

/** The explorer's filter form and the words for its values (explorer-view.tsx lays out the page). */

export const EVENTS_PATH = "/admin/audit/events";

export const CATEGORY_LABELS: Readonly<Record<AuditCategory, string>> = {
  auth: "Sign-in",
  session: "Sessions",
  mfa: "Two-factor",
  oauth: "Providers",
  account: "Account",
  admin: "Admin",
  security: "Security",
  system: "System",
};

export const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  success: "Success",
  failure: "Failure",
  denied: "Denied",
  info: "Info",
};

const LIMITS = [25, 50, 100, MAX_LIMIT];

function Text(props: {
  name: string;
  label: string;
  value: string;
  placeholder?: string;
  maxlength?: number;
  hint?: string;
  wide?: boolean;
  invalid: boolean;
}) {
  const id = `filter-${props.name}`;
  return (
    <div class={props.wide ? "filters__field filters__field--search" : "filters__field"}>
      <label class="filters__label" for={id}>
        {props.label}
      </label>
      <input
        class="filters__input"
        id={id}
        type={props.name === "q" ? "search" : "text"}
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
        maxlength={props.maxlength}
        autocomplete="off"
        spellcheck={false}
        aria-invalid={props.invalid ? "true" : undefined}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      {props.hint && (
        <p class="filters__hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** The error summary beside the form: each value that could not be used, linked to its field. */
export function FilterProblems(props: { problems: readonly FilterProblem[] }) {
  if (props.problems.length === 0) return null;
  return (
    <Alert
      kind="error"
      title="Some filters could not be used, so no events are shown"
      id="filter-problems"
    >
      <ul class="audit-problems">
        {props.problems.map((p) => (
          <li>
            <a href={`#filter-${p.field === "cursor" ? "q" : p.field}`}>{p.message}</a>
          </li>
        ))}
      </ul>
    </Alert>
  );
}

/** A GET form: the filter lives in the URL, so a view can be bookmarked, shared and paged. */
export function ExplorerFilters(props: {
  form: Record<string, string>;
  problems: readonly FilterProblem[];
}) {
  const { form } = props;
  const bad = new Set(props.problems.map((p) => p.field));
  const type = form.type ?? "";
  const several = type.includes(",");
  return (
    <form
      class="filters audit-filters"
      method="get"
      action={EVENTS_PATH}
      aria-label="Filter events"
    >
      <Text
        name="q"
        label="Search details"
        value={form.q ?? ""}
        placeholder="Text in the event's details"
        maxlength={Q_MAX_CHARS}
        hint={`Text and IP searches cover the last ${SCAN_DEFAULT_DAYS} days unless you give dates, at most ${SCAN_MAX_DAYS}.`}
        wide
        invalid={bad.has("q")}
      />
      <div class="filters__field">
        <label class="filters__label" for="filter-type">
          Event
        </label>
        <select
          class="filters__input"
          id="filter-type"
          name="type"
          aria-invalid={bad.has("type") ? "true" : undefined}
        >
          <option value="" selected={type === ""}>
            Any event
          </option>
          {several && (
            <option value={type} selected>
              {type.split(",").length} types
            </option>
          )}
          {AUDIT_CATEGORIES.map((category) => (
            <optgroup label={CATEGORY_LABELS[category]}>
              {typesInCategory(category).map((t) => (
                <option value={t} selected={type === t}>
                  {eventLabel(t)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div class="filters__field">
        <label class="filters__label" for="filter-category">
          Category
        </label>
        <select class="filters__input" id="filter-category" name="category">
          <option value="">Any category</option>
          {AUDIT_CATEGORIES.map((c) => (
            <option value={c} selected={form.category === c}>
              {CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </div>
      <div class="filters__field">
        <label class="filters__label" for="filter-outcome">
          Outcome
        </label>
        <select class="filters__input" id="filter-outcome" name="outcome">
          <option value="">Any outcome</option>
          {AUDIT_OUTCOMES.map((o) => (
            <option value={o} selected={form.outcome === o}>
              {OUTCOME_LABELS[o]}
            </option>
          ))}
        </select>
      </div>
      <Text
        name="user"
        label="User"
        value={form.user ?? ""}
        placeholder="Email or user id"
        maxlength={USER_MAX_CHARS}
        invalid={bad.has("user")}
      />
      <Text
        name="ip"
        label="IP or network"
        value={form.ip ?? ""}
        placeholder="203.0.113.0/24"
        invalid={bad.has("ip")}
      />
      <Text
        name="from"
        label="From (UTC)"
        value={form.from ?? ""}
        placeholder="YYYY-MM-DD"
        invalid={bad.has("from")}
      />
      <Text
        name="to"
        label="To (UTC)"
        value={form.to ?? ""}
        placeholder="YYYY-MM-DD"
        invalid={bad.has("to")}
      />
      <div class="filters__field">
        <label class="filters__label" for="filter-limit">
          Per page
        </label>
        <select class="filters__input" id="filter-limit" name="limit">
          {LIMITS.map((n) => (
            <option value={String(n)} selected={(form.limit || "50") === String(n)}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <div class="filters__actions">
        <button type="submit" class="btn btn--primary">
          Apply
        </button>
        {isFiltered(form) && (
          <a
            class="btn btn--ghost"
            href={`${EVENTS_PATH}${filterQuery({ limit: form.limit ?? "" })}`}
          >
            Clear
          </a>
        )}
      </div>
    </form>
  );
}
