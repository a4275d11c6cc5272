import type { Context, Hono } from "hono";
import { z } from "zod";
import { parseForm } from "../security/form.js";
import {
  type ConfirmLinkProps,
  type InvalidLinkProps,
  renderConfirmLink,
  renderInvalidLink,
  tokenParam,
} from "../ui/pages/link-pages.js";

const tokenSchema = z.object({ token: z.string({ error: "The link is incomplete." }) });

/** 409: the link is good but its action can no longer apply; 410: unknown, used or expired. */
export type RefusedLinkStatus = 409 | 410;

/** What one mailed link (verification, unlock, email change) says and does; the routes are the same. */
export interface MailedLink<Found> {
  /** The path of both routes within their group, e.g. "/unlock". */
  path: string;
  /** The full path the button posts to, e.g. "/auth/unlock". */
  action: string;
  /** The page for a link with no usable token (400) or one refused (409, 410). */
  invalid: (status: 400 | RefusedLinkStatus) => InvalidLinkProps;
  /** Looks the token up WITHOUT spending it: undefined when it is not honoured. */
  find: (token: string) => Promise<Found | undefined>;
  /** The GET page's words, given what find() returned. */
  page: (found: Found) => Omit<ConfirmLinkProps, "action" | "token">;
  /** Spends the token (the POST) and answers, or names the status of a refused link. */
  redeem: (c: Context, token: string) => Promise<Response | RefusedLinkStatus>;
}

/**
 * Mounts GET `path` (a page with a button) and POST `path` (the action).
 *
 * Why two steps: mail scanners and link previewers fetch GET links before a
 * person sees them, so the GET only looks (find) and the token is spent by
 * the POST the button sends, which carries a CSRF token.
 */
export function mountMailedLink<Found>(app: Hono, link: MailedLink<Found>): void {
  const invalid = (c: Context, status: 400 | RefusedLinkStatus) =>
    renderInvalidLink(c, status, link.invalid(status));

  app.get(link.path, async function mailedLinkPage(c) {
    const token = tokenParam(c.req.query("token"));
    if (token === undefined) return invalid(c, 400);
    const found = await link.find(token);
    if (found === undefined) return invalid(c, 410);
    return renderConfirmLink(c, { ...link.page(found), action: link.action, token });
  });

  app.post(link.path, async function mailedLinkAction(c) {
    const form = await parseForm(c, tokenSchema, { maxFieldChars: 256 });
    const token = form.ok ? tokenParam(form.data.token) : undefined;
    if (token === undefined) return invalid(c, 400);
    const answer = await link.redeem(c, token);
    return typeof answer === "number" ? invalid(c, answer) : answer;
  });
}
