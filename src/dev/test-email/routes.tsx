import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { parseForm } from "../../security/form.js";
import { firstActiveAdminEmail } from "../../setup/admins.js";
import { renderPage } from "../../ui/layout.js";
import { TestEmailPage, type TestEmailPageProps } from "./page.js";
import { checkRecipient, sendTestEmail, transportOf } from "./send.js";

const recipientSchema = z.object({ to: z.string().optional() });

/**
 * GET and POST /test-email, mounted at /dev by dev/routes.ts (development
 * only). POST because it sends something: CSRF-checked like every form.
 */
export function createDevTestEmailRoutes(deps: Pick<Deps, "config" | "mailer" | "db" | "clock">) {
  const app = new Hono();
  const transport = transportOf(deps.config, deps.mailer);

  const render = (c: Context, props: Omit<TestEmailPageProps, "transport">, status = 200) =>
    renderPage(c, {
      title: "Send a test email",
      status: status as ContentfulStatusCode,
      children: <TestEmailPage transport={transport} {...props} />,
    });

  app.get("/test-email", async function devTestEmailForm(c) {
    return render(c, { to: (await firstActiveAdminEmail(deps.db)) ?? "" });
  });

  app.post("/test-email", async function devTestEmailSend(c) {
    const form = await parseForm(c, recipientSchema, { maxFieldChars: 1000 });
    if (!form.ok) {
      return render(c, { to: "", error: Object.values(form.errors)[0] }, 422);
    }
    const typed = form.data.to ?? "";
    const recipient = checkRecipient(typed);
    // Echoed so it can be corrected; JSX escapes it into the attribute like any value.
    if (!recipient.ok) return render(c, { to: typed, error: recipient.error }, 422);
    const result = await sendTestEmail(deps, { to: recipient.to, at: deps.clock.now() });
    return render(c, { to: recipient.to, result });
  });

  return app;
}
