import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { CAPTURE_LIMIT, type CapturedMail, isCaptureMailer } from "../../mail/capture.js";
import { renderPage } from "../../ui/layout.js";
import { DevMailPage } from "./page.js";

/**
 * The HTML version of a captured mail, as its own document: never injected
 * into our pages, where its markup would run under our origin. `sandbox`
 * gives it an opaque origin with scripts, forms and plugins off, and
 * `default-src 'none'` loads nothing. Inline styles are allowed because mail
 * is styled that way (the fluid layout's max-width), and under the sandbox
 * they can only change how the mail looks. The security-headers guard sends
 * this policy in every CSP mode instead of the app's (c.var.documentCsp),
 * which would otherwise block those styles: the preview shows the mail as a
 * mail client would.
 */
export const MAIL_HTML_CSP =
  "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function toJson(m: CapturedMail) {
  return {
    id: m.id,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    created_at: m.created_at.toISOString(),
  };
}

/**
 * /mail, /mail.json and /mail/:id/html, mounted at /dev by dev/routes.ts,
 * which keeps them out of production: captured mail holds live verification
 * and reset links.
 */
export function createDevMailRoutes(deps: Pick<Deps, "config" | "mailer">): Hono {
  const app = new Hono();
  const capture = isCaptureMailer(deps.mailer) ? deps.mailer : undefined;
  const { smtpHost, smtpPort } = deps.config.mail;
  const smtp = capture === undefined && smtpHost ? { host: smtpHost, port: smtpPort } : undefined;
  const messages = () => capture?.messages() ?? [];

  app.get("/mail", function devMailPage(c) {
    return renderPage(c, {
      title: "Captured mail",
      children: <DevMailPage messages={messages()} smtp={smtp} limit={CAPTURE_LIMIT} />,
    });
  });

  app.get("/mail.json", function devMailJson(c) {
    return c.json(messages().map(toJson));
  });

  app.get("/mail/:id/html", function devMailHtml(c) {
    const message = capture?.find(c.req.param("id"));
    if (!message) return c.notFound();
    c.set("documentCsp", MAIL_HTML_CSP);
    return c.html(message.html);
  });

  return app;
}
