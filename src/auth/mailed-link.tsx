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
  /** The heading of every page the link leads to. */
  title: string;
  /** GET: looks the token up WITHOUT spending it; undefined when it is not honoured. */
  find: (token: string) => Promise<Found | undefined>;
  /** GET: the words around the button, given what find() returned. */
  page: (found: Found) => Omit<ConfirmLinkProps, "title" | "action" | "token">;
  /** POST: spends the token and answers, or names the status of a refused link. */
  redeem: (c: Context, token: string) => Promise<Response | RefusedLinkStatus>;
  /** Either: the page for a link with no usable token (400) or a refused one (409, 410). */
  refused: (status: 400 | RefusedLinkStatus) => Omit<InvalidLinkProps, "title">;
}

/**
 * Mounts GET `path` (a page whose button POSTs to the same URL) and POST
 * `path` (the action).
 *
 * Why two steps: mail scanners and link previewers fetch GET links before a
 * person sees them, so the GET only looks (find) and the token is spent by
 * the POST the button sends, which carries a CSRF token.
 */
export function mountMailedLink<Found>(app: Hono, path: string, link: MailedLink<Found>): void {
  const invalid = (c: Context, status: 400 | RefusedLinkStatus) =>
    renderInvalidLink(c, status, { title: link.title, ...link.refused(status) });

  app.get(path, async function mailedLinkPage(c) {
    const token = tokenParam(c.req.query("token"));
    if (token === undefined) return invalid(c, 400);
    const found = await link.find(token);
    if (found === undefined) return invalid(c, 410);
    // c.req.path is the whole path, group prefix included: where the POST route answers.
    return renderConfirmLink(c, {
      ...link.page(found),
      title: link.title,
      action: c.req.path,
      token,
    });
  });

  app.post(path, async function mailedLinkAction(c) {
    const form = await parseForm(c, tokenSchema, { maxFieldChars: 256 });
    const token = form.ok ? tokenParam(form.data.token) : undefined;
    if (token === undefined) return invalid(c, 400);
    const answer = await link.redeem(c, token);
    return typeof answer === "number" ? invalid(c, answer) : answer;
  });
}
