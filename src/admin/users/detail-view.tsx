import { formatUtc } from "../../mail/templates/index.js";
import { Alert } from "../../ui/components/alert.js";
import { ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { SummaryRow } from "../../ui/components/summary.js";
import { ROLE_DESCRIPTIONS } from "../../users/roles.js";
import { displayName, type User } from "../../users/user.js";
import { AdminPage } from "../layout.js";
import { USER_ACTIONS, type UserAction } from "./action-catalog.js";
import { type UserDetail, userPath } from "./detail-data.js";
import { UserEvents } from "./detail-events.js";
import { PasskeysCard } from "./detail-passkeys.js";
import { SessionsCard } from "./detail-sessions.js";

export interface UserDetailPageProps {
  detail: UserDetail;
  /** The signed-in admin: their own account offers no self-demotion, -deactivation or -deletion. */
  adminId: string;
  /** The admin's own session, which the page never offers to revoke (signing out is in the header). */
  currentSessionId: string;
  /**
   * Whether the viewer may act (users.manage). A role that may only look
   * (users.view) sees the facts without a button; the routes refuse anyway.
   */
  canManage: boolean;
}

/** The trail every page about one user shows: Admin / Users / Ada Lovelace [/ step]. */
export function userCrumbs(user: User, step?: string) {
  const crumbs = [
    { label: "Admin", href: "/admin" },
    { label: "Users", href: "/admin/users" },
    { label: displayName(user), href: userPath(user.id) },
  ];
  return step ? [...crumbs, { label: step }] : crumbs;
}

function When(props: { at: Date | null; never?: string }) {
  if (!props.at) return <>{props.never ?? "Never"}</>;
  return <time datetime={props.at.toISOString()}>{formatUtc(props.at)}</time>;
}

export function StatusBadges(props: { user: User }) {
  const { user } = props;
  return (
    <span class="badges">
      <span class={user.role === "admin" ? "badge badge--info" : "badge"} id="user-role">
        {user.role}
      </span>
      <span
        class={user.status === "active" ? "badge badge--ok" : "badge badge--danger"}
        id="user-status"
      >
        {user.status === "active" ? "Active" : "Deactivated"}
      </span>
    </span>
  );
}

function ProfileCard(props: { detail: UserDetail }) {
  const { user } = props.detail;
  return (
    <Card title="Profile">
      <dl class="summary" id="user-profile">
        <SummaryRow label="Name">{displayName(user)}</SummaryRow>
        <SummaryRow label="Email">
          {user.email}{" "}
          <span class={user.emailVerifiedAt ? "badge badge--ok" : "badge badge--warn"}>
            {user.emailVerifiedAt ? "Confirmed" : "Not confirmed"}
          </span>
          {user.emailVerifiedAt && (
            <small class="user-detail__note">
              {" "}
              on <When at={user.emailVerifiedAt} />
            </small>
          )}
        </SummaryRow>
        <SummaryRow label="Role">
          <strong>{user.role}</strong>
          <small class="user-detail__note">{ROLE_DESCRIPTIONS[user.role]}</small>
        </SummaryRow>
        <SummaryRow label="Status">
          {user.status === "active" ? "Active" : "Deactivated: cannot sign in"}
        </SummaryRow>
        <SummaryRow label="Created">
          <When at={user.createdAt} />
        </SummaryRow>
        <SummaryRow label="Last sign-in">
          <When at={user.lastLoginAt} />
        </SummaryRow>
      </dl>
    </Card>
  );
}

function SecurityCard(props: { detail: UserDetail }) {
  const { lockout, twoFactor, providers, user } = props.detail;
  return (
    <Card title="Sign-in and security">
      <dl class="summary" id="user-security">
        <SummaryRow label="Sign-in lock">
          {lockout.lockedUntil ? (
            <>
              <span class="badge badge--danger" id="lockout-state">
                Locked
              </span>{" "}
              until <When at={lockout.lockedUntil} />
            </>
          ) : (
            <span class="badge badge--ok" id="lockout-state">
              Not locked
            </span>
          )}
          <small class="user-detail__note" id="failed-attempts">
            {lockout.failedCount === 0
              ? "No recent failed attempts."
              : `${lockout.failedCount} failed attempt${lockout.failedCount === 1 ? "" : "s"}, last at ${lockout.lastFailedAt ? formatUtc(lockout.lastFailedAt) : "an unknown time"}.`}
          </small>
        </SummaryRow>
        <SummaryRow label="Two-factor">
          {twoFactor.enabled ? (
            <>
              <span class="badge badge--ok" id="two-factor-state">
                On
              </span>
              {twoFactor.enabledAt && (
                <>
                  {" "}
                  since <When at={twoFactor.enabledAt} />
                </>
              )}
              <small class="user-detail__note" id="backup-codes-left">
                {twoFactor.backupCodesLeft} of 10 backup codes left
              </small>
            </>
          ) : (
            <span class="badge badge--warn" id="two-factor-state">
              Off
            </span>
          )}
        </SummaryRow>
        <SummaryRow label="Password">
          {user.passwordHash ? "Set" : "None: signs in with a linked provider only"}
        </SummaryRow>
        <SummaryRow label="Linked providers">
          {providers.length === 0 ? (
            "None"
          ) : (
            <ul class="user-providers" id="linked-providers">
              {providers.map((p) => (
                <li>
                  <strong>{p.label}</strong>
                  {p.email && ` (${p.email})`}
                  <small class="user-detail__note">
                    Linked <When at={p.linkedAt} />
                    {p.lastUsedAt && (
                      <>
                        , last used <When at={p.lastUsedAt} />
                      </>
                    )}
                  </small>
                </li>
              ))}
            </ul>
          )}
        </SummaryRow>
      </dl>
    </Card>
  );
}

/** The actions that apply to the account as it is now, each a link to its confirm page. */
function ActionsCard(props: { detail: UserDetail; adminId: string }) {
  const { detail, adminId } = props;
  const available = USER_ACTIONS.filter((a) => a.unavailable(detail, adminId) === undefined);
  const isSelf = detail.user.id === adminId;
  const link = (a: UserAction) => (
    <li>
      <ButtonLink
        href={`${userPath(detail.user.id)}/${a.path}/confirm`}
        variant={a.danger ? "danger" : "secondary"}
        size="sm"
        attrs={{ "data-action": a.id }}
      >
        {a.label}
      </ButtonLink>
    </li>
  );
  return (
    <Card title="Actions">
      <div class="stack">
        {isSelf && (
          <Alert kind="info" id="self-note">
            This is your own account. Changing your role, deactivating or deleting it is not offered
            here, so you cannot lock yourself out; another admin or the CLI can.
          </Alert>
        )}
        <ul class="user-actions" id="user-actions">
          {available.map(link)}
        </ul>
        <p class="field__hint">Each action explains what it will do and asks you to confirm.</p>
      </div>
    </Card>
  );
}

/**
 * GET /admin/users/:id: who the account is, how it signs in, where, what
 * happened, and what to do. The actions come first in the markup, so a phone
 * shows them right under the name; wide screens put them in a side column.
 */
export function UserDetailPage(props: UserDetailPageProps) {
  const { detail } = props;
  const { user } = detail;
  return (
    <AdminPage
      title={displayName(user)}
      description={
        <>
          <span class="user-email">{user.email}</span> <StatusBadges user={user} />
        </>
      }
      breadcrumbs={userCrumbs(user)}
    >
      <div class="user-detail">
        {props.canManage && (
          <aside class="user-detail__side">
            <ActionsCard detail={detail} adminId={props.adminId} />
          </aside>
        )}
        <div class="user-detail__main stack">
          <ProfileCard detail={detail} />
          <SecurityCard detail={detail} />
          <PasskeysCard userId={user.id} passkeys={detail.passkeys} canManage={props.canManage} />
          <SessionsCard
            detail={detail}
            currentSessionId={props.currentSessionId}
            canManage={props.canManage}
          />
          <Card title="Recent activity">
            <UserEvents events={detail.events} userId={user.id} actors={detail.actors} />
          </Card>
        </div>
      </div>
    </AdminPage>
  );
}
