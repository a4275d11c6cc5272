import { Hono } from "hono";
import { renderPage } from "../ui/layout.js";
import { AdminOverview, visibleSections } from "./layout.js";

/** GET /admin: the section list (the sub-navigation's entries, each with what it is for). */
export function createAdminOverviewRoutes(): Hono {
  return new Hono().get("/", function adminOverview(c) {
    return renderPage(c, {
      title: "Admin",
      children: <AdminOverview sections={visibleSections(c.get("user"))} />,
    });
  });
}
