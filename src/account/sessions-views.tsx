import { formatUtc } from "../mail/templates/index.js";
import { describeDevice } from "../sessions/device.js";
import type { Session } from "../sessions/types.js";
import { Button } from "../ui/components/button.js";
import { Card } from "../ui/components/card.js";
import { Form } from "../ui/components/form.js";
import { PageHeader } from "../ui/components/page-header.js";

export interface SessionsPageProps {
  csrfToken: string | undefined;
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

function SessionRow(props: { session: Session; current: boolean; now: Date; csrfToken?: string }) {
  const { session, current } = props;
  return (
    <tr>
      <th scope="row">
        {describeDevice(session.userAgent)}{" "}
        {current && <span class="badge badge--ok">This device</span>}
      </th>
      <td>{session.ip ?? "Unknown"}</td>
      <td>
        <time datetime={session.lastSeenAt.toISOString()} title={formatUtc(session.lastSeenAt)}>
          {current ? "Now" : relativeTime(session.lastSeenAt, props.now)}
        </time>
      </td>
      <td>
        <time datetime={session.createdAt.toISOString()}>{formatUtc(session.createdAt)}</time>
      </td>
      <td class="table__action">
        {current ? (
          <Form action="/auth/logout" csrfToken={props.csrfToken}>
            <Button type="submit" variant="secondary" size="sm">
              Sign out
            </Button>
          </Form>
        ) : (
          <Form action={`/account/sessions/${session.id}/revoke`} csrfToken={props.csrfToken}>
            <Button type="submit" variant="danger" size="sm">
              Sign out
            </Button>
          </Form>
        )}
      </td>
    </tr>
  );
}

export function SessionsPage(props: SessionsPageProps) {
  const others = props.sessions.filter((s) => s.id !== props.currentSessionId).length;
  return (
    <div class="stack">
      <PageHeader
        eyebrow="Account"
        title="Where you are signed in"
        description="Sign out any device you do not recognise, then change your password."
      />
      <Card>
        <div class="stack">
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Last active</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.sessions.map((session) => (
                  <SessionRow
                    session={session}
                    current={session.id === props.currentSessionId}
                    now={props.now}
                    csrfToken={props.csrfToken}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {others > 0 ? (
            <Form action="/account/sessions/revoke-others" csrfToken={props.csrfToken}>
              <Button type="submit" variant="secondary">
                Sign out all other devices ({others})
              </Button>
            </Form>
          ) : (
            <p>You are not signed in anywhere else.</p>
          )}
        </div>
      </Card>
    </div>
  );
}
