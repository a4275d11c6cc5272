import type { Child } from "hono/jsx";
import { formatUtc } from "../../mail/templates/index.js";
import { ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Icon } from "../../ui/components/icon.js";
import { USER_ROLES, type UserRole } from "../../users/user.js";
import { AdminPage } from "../layout.js";
import type { DirectoryRow, UserCounts } from "./directory.js";
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

export const USERS_PATH = "/admin/users";

export interface UserListProps {
  filter: UserFilter;
  rows: readonly DirectoryRow[];
  counts: UserCounts;
  /** How many rows the filter matches; undefined when nothing is filtered. */
  matching: number | undefined;
  /** The `after` of the next page, if there is one. */
  next: string | undefined;
  /** Whether this is a later page (a cursor was followed). */
  paged: boolean;
  /** The search was longer than SEARCH_MAX_CHARS and was cut. */
  searchCut: boolean;
}

export const ROLE_LABELS: Readonly<Record<UserRole, string>> = { user: "User", admin: "Admin" };

const STATUS_LABELS: Readonly<Record<StatusFilter, string>> = {
  active: "Active",
  deactivated: "Deactivated",
  locked: "Locked",
  unverified: "Unverified",
};

const TWO_FACTOR_LABELS: Readonly<Record<TwoFactorFilter, string>> = {
  on: "2FA on",
  off: "2FA off",
};

const number = new Intl.NumberFormat("en");

function Stat(props: { label: string; value: number }) {
  return (
    <div class="stat">
      <dt class="stat__label">{props.label}</dt>
      <dd class="stat__value">{number.format(props.value)}</dd>
    </div>
  );
}

/** The state badges of one account; what it is (deactivated, locked...) before what it has (2FA). */
export function UserBadges(props: { row: DirectoryRow }) {
  const { row } = props;
  const badges: Child[] = [];
  if (row.status === "deactivated") {
    badges.push(<span class="badge badge--danger">Deactivated</span>);
  }
  if (row.lockedUntil) {
    badges.push(
      <span class="badge badge--danger" title={`Until ${formatUtc(row.lockedUntil)}`}>
        Locked
      </span>,
    );
  }
  if (!row.emailVerifiedAt) badges.push(<span class="badge badge--warn">Unverified</span>);
  if (row.twoFactor) badges.push(<span class="badge badge--ok">2FA on</span>);
  if (badges.length === 0) badges.push(<span class="badge">Active</span>);
  return <span class="badges">{badges}</span>;
}

function When(props: { at: Date | null; never: string }) {
  return props.at ? (
    <time datetime={props.at.toISOString()}>{formatUtc(props.at)}</time>
  ) : (
    <span class="muted">{props.never}</span>
  );
}

function displayName(row: DirectoryRow): string {
  const name = `${row.firstName} ${row.lastName}`.trim();
  return name === "" ? row.email : name;
}

/**
 * One account per row. On a phone each row becomes a small card of labelled
 * lines (app.css, .data-table at narrow widths: the labels come from
 * data-label), so nothing scrolls sideways.
 */
function UsersTable(props: { rows: readonly DirectoryRow[] }) {
  return (
    <div class="table-wrap">
      <table class="table data-table">
        <caption class="visually-hidden">Users</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last sign-in</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              <td data-label="User" class="data-table__primary">
                <a href={`${USERS_PATH}/${encodeURIComponent(row.id)}`} class="user-cell">
                  <span class="user-cell__name">{displayName(row)}</span>
                  <span class="user-cell__email">{row.email}</span>
                </a>
              </td>
              <td data-label="Role">
                <span class={row.role === "user" ? "badge" : "badge badge--info"}>
                  {ROLE_LABELS[row.role] ?? row.role}
                </span>
              </td>
              <td data-label="Status">
                <UserBadges row={row} />
              </td>
              <td data-label="Created">
                <When at={row.createdAt} never="" />
              </td>
              <td data-label="Last sign-in">
                <When at={row.lastLoginAt} never="Never" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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
function Filters(props: { filter: UserFilter; searchCut: boolean }) {
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

function EmptyState(props: { filter: UserFilter; paged: boolean }) {
  const clear = `${USERS_PATH}${filterQuery({ search: "", sort: props.filter.sort })}`;
  if (props.paged) {
    return (
      <div class="empty-state">
        <p class="empty-state__title">No more users.</p>
        <p>The list ends here; accounts deleted since the last page are not shown.</p>
        <ButtonLink href={`${USERS_PATH}${filterQuery(props.filter)}`} variant="secondary">
          First page
        </ButtonLink>
      </div>
    );
  }
  if (isFiltered(props.filter)) {
    return (
      <div class="empty-state">
        <p class="empty-state__title">No users {describeFilter(props.filter)}.</p>
        <p>Every account is searched by email and name; try fewer filters or a shorter search.</p>
        <ButtonLink href={clear} variant="secondary">
          Clear the filter
        </ButtonLink>
      </div>
    );
  }
  return (
    <div class="empty-state">
      <p class="empty-state__title">No users yet.</p>
      <p>Accounts appear here as people sign up.</p>
    </div>
  );
}

export function UserListPage(props: UserListProps) {
  const { filter, counts } = props;
  const exportHref = `${USERS_PATH}/export.csv${filterQuery(filter)}`;
  return (
    <AdminPage
      title="Users"
      description="Find an account to see its details and act on it."
      actions={
        <ButtonLink href={exportHref} variant="secondary" attrs={{ download: "" }}>
          <Icon name="download" /> Export CSV
        </ButtonLink>
      }
    >
      <section class="stats" aria-labelledby="stats-title">
        <h2 class="visually-hidden" id="stats-title">
          Accounts
        </h2>
        <dl class="stats__grid">
          <Stat label="Total" value={counts.total} />
          <Stat label="Admins" value={counts.admins} />
          <Stat label="Verified" value={counts.verified} />
          <Stat label="With 2FA" value={counts.twoFactor} />
          <Stat label="Locked now" value={counts.locked} />
        </dl>
        <p class="stats__note">
          {props.matching === undefined ? (
            "Figures for every account."
          ) : (
            <>
              Figures for every account, whatever the filter.{" "}
              <strong id="matching">
                {number.format(props.matching)}{" "}
                {props.matching === 1 ? "user matches" : "users match"} the filter.
              </strong>
            </>
          )}
        </p>
      </section>
      <Card>
        <Filters filter={filter} searchCut={props.searchCut} />
      </Card>
      {props.rows.length === 0 ? (
        <EmptyState filter={filter} paged={props.paged} />
      ) : (
        <UsersTable rows={props.rows} />
      )}
      {(props.paged || props.next !== undefined) && (
        <nav class="pager" aria-label="Pages">
          {props.paged && (
            <a class="btn btn--secondary btn--sm" href={`${USERS_PATH}${filterQuery(filter)}`}>
              First page
            </a>
          )}
          {props.next !== undefined && (
            <a
              class="btn btn--secondary btn--sm pager__next"
              href={`${USERS_PATH}${filterQuery(filter, { after: props.next })}`}
              rel="next"
            >
              Next page
            </a>
          )}
        </nav>
      )}
    </AdminPage>
  );
}
