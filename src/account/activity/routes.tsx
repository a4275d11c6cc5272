import { Hono } from "hono";
import {
  type ActivityGroup,
  activityTypes,
  decodeCursor,
  encodeCursor,
  firstSignInByIp,
  isActivityGroup,
  listUserActivity,
} from "../../audit/user-activity.js";
import { configuredProviders } from "../../auth/oauth/providers.js";
import type { Deps } from "../../deps.js";
import { currentUser } from "../../http/request.js";
import { renderPage } from "../../ui/layout.js";
import { describeActivity } from "./describe.js";
import { ActivityPage, type ActivityRow } from "./views.js";

export const ACTIVITY_PAGE_SIZE = 25;

/** Longer than any cursor or group name: such a value is set aside unread. */
const MAX_PARAM_CHARS = 100;

/**
 * GET /activity (signed in; account/routes.ts applies requireUser): the
 * user's own security log. `group` picks a chip, `cursor` a page; a value
 * that is neither is set aside with a notice and the page shows the
 * newest events, never an error: a stale or mangled link is not worth a 400.
 */
export function createActivityRoutes(deps: Deps): Hono {
  const app = new Hono();
  const labels = new Map<string, string>(
    configuredProviders(deps.config).map((p) => [p.id, p.label]),
  );
  const providerLabel = (id: string) =>
    labels.get(id) ?? ({ github: "GitHub", google: "Google" }[id] || "A sign-in provider");

  app.get("/activity", async function activityPage(c) {
    const user = currentUser(c);
    const notices: string[] = [];
    const groupParam = c.req.query("group");
    let group: ActivityGroup | undefined;
    if (groupParam !== undefined && groupParam !== "" && groupParam !== "all") {
      if (groupParam.length <= MAX_PARAM_CHARS && isActivityGroup(groupParam)) group = groupParam;
      else notices.push("That filter does not exist: showing every event.");
    }
    const cursorParam = c.req.query("cursor");
    const cursor =
      cursorParam && cursorParam.length <= MAX_PARAM_CHARS ? decodeCursor(cursorParam) : undefined;
    if (cursorParam && !cursor)
      notices.push("That page link is not valid: showing the newest events.");

    const page = await listUserActivity(deps.db, {
      userId: user.id,
      types: activityTypes(group),
      ...(cursor ? { cursor } : {}),
      limit: ACTIVITY_PAGE_SIZE,
    });
    const items = page.events.map((e) => describeActivity(e, user.id, providerLabel));
    const failedIps = items
      .filter((i) => i.signIn && i.result !== "success" && i.origin?.ip)
      .map((i) => i.origin?.ip as string);
    const known = await firstSignInByIp(deps.db, user.id, failedIps);
    const rows: ActivityRow[] = items.map((item) => {
      const ip = item.origin?.ip;
      const first = ip ? known.get(ip) : undefined;
      const unfamiliar =
        item.signIn && item.result !== "success" && !!ip && (!first || first > item.at);
      return { item, unfamiliar };
    });

    return renderPage(c, {
      title: "Security log",
      children: (
        <ActivityPage
          rows={rows}
          group={group}
          notices={notices}
          now={deps.clock.now()}
          {...(page.older ? { older: encodeCursor(page.older) } : {})}
          {...(page.newer ? { newer: encodeCursor(page.newer) } : {})}
        />
      ),
    });
  });

  return app;
}
