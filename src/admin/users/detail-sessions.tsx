import { formatUtc } from "../../mail/templates/index.js";
import { describeDevice } from "../../sessions/device.js";
import type { Session } from "../../sessions/types.js";
import { ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { type UserDetail, userPath } from "./detail-data.js";

/**
 * One device per card, as /account/sessions shows them (the same .session
 * markup and CSS): browser and OS parsed from the user agent, IP, last
 * activity, sign-in time, and a Sign out that leads to a confirm page.
 */
function SessionItem(props: {
  session: Session;
  userId: string;
  current: boolean;
  /** Offer "Sign out": the viewer may manage users, and it is not their own current session. */
  canRevoke: boolean;
}) {
  const { session } = props;
  return (
    <li class={props.current ? "session session--current" : "session"}>
      <h3 class="session__device">
        {describeDevice(session.userAgent)}
        {props.current && <span class="badge badge--ok">Your session</span>}
      </h3>
      <dl class="session__facts">
        <div class="session__fact">
          <dt>IP address</dt>
          <dd>{session.ip ?? "Unknown"}</dd>
        </div>
        <div class="session__fact">
          <dt>Last active</dt>
          <dd>
            <time datetime={session.lastSeenAt.toISOString()}>{formatUtc(session.lastSeenAt)}</time>
          </dd>
        </div>
        <div class="session__fact">
          <dt>Signed in</dt>
          <dd>
            <time datetime={session.createdAt.toISOString()}>{formatUtc(session.createdAt)}</time>
          </dd>
        </div>
      </dl>
      <div class="session__action">
        {props.canRevoke && (
          <ButtonLink
            href={`${userPath(props.userId)}/sessions/${session.id}/revoke/confirm`}
            variant="danger"
            size="sm"
          >
            Sign out
          </ButtonLink>
        )}
      </div>
    </li>
  );
}

/** The account's live sessions; each links its own confirm page, never the admin's current one. */
export function SessionsCard(props: {
  detail: UserDetail;
  currentSessionId: string;
  canManage: boolean;
}) {
  const { sessions, user } = props.detail;
  return (
    <Card title={`Sessions (${sessions.length})`}>
      {sessions.length === 0 ? (
        <p id="user-sessions-empty">Not signed in anywhere.</p>
      ) : (
        <ul class="session-list" id="user-sessions">
          {sessions.map((session) => (
            <SessionItem
              session={session}
              userId={user.id}
              current={session.id === props.currentSessionId}
              canRevoke={props.canManage && session.id !== props.currentSessionId}
            />
          ))}
        </ul>
      )}
    </Card>
  );
}
