import type { Context } from "hono";
import { displayName } from "../users/user.js";
import type { SignedInUser } from "./components/site-header.js";

/** The signed-in user as the layout's header shows it; pass as `renderPage(c, { user: viewUser(c) })`. */
export function viewUser(c: Context): SignedInUser | undefined {
  const user = c.get("user");
  return user ? { name: displayName(user), email: user.email, role: user.role } : undefined;
}
