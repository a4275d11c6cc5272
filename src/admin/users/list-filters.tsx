import { USER_ROLES, type UserRole } from "../../users/user.js";
import {
  filterQuery,
  isFiltered,
  SEARCH_MAX_CHARS,
  SORT_LABELS,
  STATUS_FILTERS,
  type StatusFilter,
  TWO_FACTOR_FILTERS,
  type TwoFactorFilter,
  USER_SORTS,
  type UserFilter,
} from "./filter.js";

/** The list's filter form and the words for its values (list-view.tsx lays out the page). */

export const USERS_PATH = "/admin/users";

export const ROLE_LABELS: Readonly<Record<UserRole, string>> = { user: "User", admin: "Admin" };

export const STATUS_LABELS: Readonly<Record<StatusFilter, string>> = {
  active: "Active",
  deactivated: "Deactivated",
  locked: "Locked",
  unverified: "Unverified",
};

export const TWO_FACTOR_LABELS: Readonly<Record<TwoFactorFilter, string>> = {
  on: "2FA on",
  off: "2FA off",
};

function Select<T extends string>(props: {
  name: string;
  label: string;
  anyLabel?: string;
  values: readonly T[];
  labels: Readonly<Record<T, string>>;
  selected: T | undefined;
}) {
  const id = `filter-${props.name}`;
  return (
    <div class="filters__field">
      <label class="filters__label" for={id}>
        {props.label}
      </label>
      <select class="filters__input" id={id} name={props.name}>
        {props.anyLabel !== undefined && (
          <option value="" selected={props.selected === undefined}>
            {props.anyLabel}
          </option>
        )}
        {props.values.map((value) => (
          <option value={value} selected={props.selected === value}>
            {props.labels[value]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A GET form: the filter lives in the URL, so it can be bookmarked, shared and paged. */
export function Filters(props: { filter: UserFilter; searchCut: boolean }) {
  const { filter } = props;
  return (
    <form class="filters" method="get" action={USERS_PATH} aria-label="Filter users">
      <div class="filters__field filters__field--search">
        <label class="filters__label" for="filter-q">
          Search
        </label>
        <input
          class="filters__input"
          id="filter-q"
          type="search"
          name="q"
          value={filter.search}
          maxlength={SEARCH_MAX_CHARS}
          placeholder="Email or name"
          autocomplete="off"
          spellcheck={false}
          aria-describedby={props.searchCut ? "filter-q-hint" : undefined}
        />
        {props.searchCut && (
          <p class="filters__hint" id="filter-q-hint">
            Searched for the first {SEARCH_MAX_CHARS} characters.
          </p>
        )}
      </div>
      <Select
        name="role"
        label="Role"
        anyLabel="Any role"
        values={USER_ROLES}
        labels={ROLE_LABELS}
        selected={filter.role}
      />
      <Select
        name="status"
        label="Status"
        anyLabel="Any status"
        values={STATUS_FILTERS}
        labels={STATUS_LABELS}
        selected={filter.status}
      />
      <Select
        name="2fa"
        label="Two-factor"
        anyLabel="Either"
        values={TWO_FACTOR_FILTERS}
        labels={TWO_FACTOR_LABELS}
        selected={filter.twoFactor}
      />
      <Select
        name="sort"
        label="Sort"
        values={USER_SORTS}
        labels={SORT_LABELS}
        selected={filter.sort}
      />
      <div class="filters__actions">
        <button type="submit" class="btn btn--primary">
          Apply
        </button>
        {isFiltered(filter) && (
          <a
            class="btn btn--ghost"
            href={`${USERS_PATH}${filterQuery({ ...filter, search: "", role: undefined, status: undefined, twoFactor: undefined })}`}
          >
            Clear
          </a>
        )}
      </div>
    </form>
  );
}

/** In words, what the filter asks for: "matching “ada”, role Admin, locked". */
export function describeFilter(filter: UserFilter): string {
  const parts: string[] = [];
  if (filter.search !== "") parts.push(`matching “${filter.search}”`);
  if (filter.role) parts.push(`with the role ${ROLE_LABELS[filter.role]}`);
  if (filter.status) parts.push(STATUS_LABELS[filter.status].toLowerCase());
  if (filter.twoFactor) parts.push(`with ${TWO_FACTOR_LABELS[filter.twoFactor]}`);
  return parts.join(", ");
}
