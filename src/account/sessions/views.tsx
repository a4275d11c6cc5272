import { formatUtc } from "../../mail/templates/index.js";
import { describeDevice } from "../../sessions/device.js";
import type { Session } from "../../sessions/types.js";
import { Button } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { Form } from "../../ui/components/form.js";

export interface SessionsPageProps {
  sessions: readonly Session[];
  currentSessionId: string;
  now: Date;
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago": enough to recognise a device. */
export function relativeTime(at: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/** This device first (the one a person looks for), then the most recently active. */
export function orderSessions(sessions: readonly Session[], currentSessionId: string): Session[] {
  return [...sessions].sort((a, b) => {
    if (a.id === currentSessionId) return -1;
    if (b.id === currentSessionId) return 1;
    return b.lastSeenAt.getTime() - a.lastSeenAt.getTime();
  });
}

/**
 * One device as a small card: its name, three labelled facts and its sign-out
 * button. A list of cards rather than a table, so a phone shows every field
 * and every button without scrolling sideways; wide screens lay the same
 * markup out in columns (app.css, .session).
 */
function SessionItem(props: { session: Session; current: boolean; now: Date }) {
  const { session, current } = props;
  return (
    <li class={current ? "session session--current" : "session"}>
      <h3 class="session__device">
        {describeDevice(session.userAgent)}
        {current && (
          <>
            {" "}
            <span class="badge badge--ok">This device</span>
          </>
        )}
      </h3>
      <dl class="session__facts">
        <div class="session__fact">
          <dt>IP address</dt>
          <dd>{session.ip ?? "Unknown"}</dd>
        </div>
        <div class="session__fact">
          <dt>Last active</dt>
          <dd>
            <time datetime={session.lastSeenAt.toISOString()} title={formatUtc(session.lastSeenAt)}>
              {current ? "Now" : relativeTime(session.lastSeenAt, props.now)}
            </time>
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
        {current ? (
          <Form action="/auth/logout">
            <Button type="submit" variant="secondary" size="sm">
              Sign out
            </Button>
          </Form>
        ) : (
          <Form action={`/account/sessions/${session.id}/revoke`}>
            <Button type="submit" variant="danger" size="sm">
              Sign out
            </Button>
          </Form>
        )}
      </div>
    </li>
  );
}

export function SessionsPage(props: SessionsPageProps) {
  const sessions = orderSessions(props.sessions, props.currentSessionId);
  const others = sessions.filter((s) => s.id !== props.currentSessionId).length;
  return (
    <Page
      eyebrow="Account"
      title="Where you are signed in"
      description="Sign out any device you do not recognise, then change your password."
    >
      <Card title="Your devices">
        <div class="stack">
          <ul class="session-list">
            {sessions.map((session) => (
              <SessionItem
                session={session}
                current={session.id === props.currentSessionId}
                now={props.now}
              />
            ))}
          </ul>
          {others > 0 ? (
            <Form action="/account/sessions/revoke-others">
              <Button type="submit" variant="secondary">
                Sign out all other devices ({others})
              </Button>
            </Form>
          ) : (
            <p>You are not signed in anywhere else.</p>
          )}
        </div>
      </Card>
      <Card title="Sign out everywhere">
        <div class="stack">
          <p>
            Signs out every device, this one included. Use it if you lost a device or signed in on a
            computer that is not yours; you sign in again afterwards.
          </p>
          <Form action="/account/sessions/revoke-all">
            <Button type="submit" variant="danger">
              Sign out everywhere ({sessions.length})
            </Button>
          </Form>
        </div>
      </Card>
    </Page>
  );
}
