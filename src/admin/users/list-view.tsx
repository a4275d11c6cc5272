import type { Child } from "hono/jsx";
import { formatUtc } from "../../mail/templates/index.js";
import { ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Icon } from "../../ui/components/icon.js";
import { displayName } from "../../users/user.js";
import { AdminPage } from "../layout.js";
import type { DirectoryRow, UserCounts } from "./directory.js";
import { filterQuery, isFiltered, type UserFilter } from "./filter.js";
import { describeFilter, Filters, ROLE_LABELS, USERS_PATH } from "./list-filters.js";

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
