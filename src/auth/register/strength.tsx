import type { Context } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { findCurrentUser } from "../../http/request.js";
import { parseForm } from "../../security/form.js";
import { StrengthMeter } from "../../ui/components/password-field.js";
import { htmlResponse } from "../../ui/html-response.js";

/** The fields the live check may read (the form sends only these: see PasswordField). */
const strengthSchema = z.object({
  password: z.string().optional(),
  new_password: z.string().optional(),
  email: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});

/**
 * POST /auth/password-strength: the policy's verdict as an HTML fragment.
 * Pure computation, no look-ups: it cannot tell anyone whether an email is
 * registered. A signed-in caller is checked against their own email and names.
 */
export function passwordStrengthHandler(deps: Pick<Deps, "passwordPolicy">) {
  return async function passwordStrength(c: Context) {
    const form = await parseForm(c, strengthSchema, { maxFieldChars: 4096 });
    const data = form.ok ? form.data : {};
    const user = findCurrentUser(c);
    const check = deps.passwordPolicy.check({
      password: data.password ?? data.new_password ?? "",
      email: user?.email ?? data.email,
      personal: user
        ? [user.firstName, user.lastName]
        : [data.first_name ?? "", data.last_name ?? ""],
    });
    return htmlResponse(c, <StrengthMeter check={check} />);
  };
}
