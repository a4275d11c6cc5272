import { z } from "zod";
import { nameField } from "../../security/form-fields.js";
import { emailSchema } from "../../users/email.js";
import { isUserRole } from "../../users/roles.js";
import type { UserRole } from "../../users/user.js";
import { type AdminDeps, type AnyActor, recordAs, refuse } from "./context.js";
import type { ActionResult } from "./types.js";

/** The same field rules as registration: an account made here could have signed up itself. */
const accountSchema = z.object({
  email: emailSchema,
  firstName: nameField,
  lastName: z
    .string()
    .trim()
    .pipe(z.union([z.literal(""), nameField])),
  password: z.string({ error: "Choose a password." }),
});

/**
 * A verified, active account with the given role (CLI `user create`,
 * first-run /setup). Verified because an operator typed the address (or is
 * the person behind it); the password meets the same policy as a sign-up.
 * The audit record `user_created` names the operator (or "cli"; nobody for
 * setup), with the new account as target.
 */
export async function createAccount(
  deps: AdminDeps,
  actor: AnyActor,
  input: { email: string; firstName: string; lastName: string; password: string; role: UserRole },
): Promise<ActionResult> {
  const parsed = accountSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "input");
    return refuse("invalid_input", `${field}: ${issue?.message ?? "invalid value"}`);
  }
  if (!isUserRole(input.role)) return refuse("invalid_role", "Choose one of the listed roles.");
  const { email, firstName, lastName, password } = parsed.data;
  const check = deps.passwordPolicy.check({ password, email, personal: [firstName, lastName] });
  if (!check.ok) return refuse("weak_password", check.error ?? check.hint);
  // Hashed before the transaction: argon2 takes a while, and a transaction
  // (DuckDB's single writer) must not wait on it.
  const passwordHash = await deps.passwords.hash(password);
  return deps.db.transaction(async (tx): Promise<ActionResult> => {
    const created = await deps.users.create(
      {
        email,
        firstName,
        lastName,
        passwordHash,
        role: input.role,
        emailVerifiedAt: deps.clock.now(),
      },
      tx,
    );
    if (!created.ok) {
      return refuse("email_taken", `An account with the address ${email} exists already.`);
    }
    const { user } = created;
    await recordAs(
      deps,
      actor,
      { type: "user_created", targetId: user.id, details: { role: user.role } },
      tx,
    );
    return { ok: true, message: `The account ${user.email} was created (${user.role}).`, user };
  });
}
