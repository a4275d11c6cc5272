import type { Context } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { parseForm } from "../../security/form.js";
import { rotateSession } from "../../sessions/http.js";
import { verifyTotp } from "../../totp/totp.js";
import { Button } from "../../ui/components/button.js";
import { Form } from "../../ui/components/form.js";
import type { User } from "../../users/user.js";
import { type Recheck, recheck } from "../recheck.js";
import { CodeField } from "./challenge-views.js";
import { claimTimeStep, findEnabledCredential } from "./credentials.js";
import { openTotpSecret } from "./second-factor.js";

/**
 * Sudo mode for accounts without a password (they sign in with OAuth only):
 * a current TOTP code stands in for the password on /auth/confirm. Same
 * budget as a wrong password (login_account), same replay guard as sign-in:
 * the step is claimed, so a code seen over a shoulder cannot be reused.
 * Backup codes are not accepted here: they are for getting back in, and
 * spending one on a routine confirmation would leave fewer for that.
 */
export const WRONG_SUDO_CODE = "That code is not right.";

const schema = z.object({
  code: z.string().trim().max(32).default(""),
  next: z.string().optional(),
});

export type SudoCodeOutcome =
  | { ok: true; next: string | undefined }
  | { ok: false; next: string | undefined; error: string };

/** Whether /auth/confirm can offer the code form to this user. */
export async function canConfirmWithCode(deps: Pick<Deps, "db">, user: User): Promise<boolean> {
  return (
    user.passwordHash === null && (await findEnabledCredential(deps.db, user.id)) !== undefined
  );
}

/**
 * Checks the posted `code` and, when right, gives the session a new token
 * holding the sudo window. The caller (the /auth/confirm route) renders or redirects.
 */
export async function confirmSudoWithCode(
  c: Context,
  deps: Deps,
  input: { user: User; windowMinutes: number },
): Promise<SudoCodeOutcome> {
  const { user } = input;
  const reauth = recheck(c, deps, user);
  await reauth.guard();
  const form = await parseForm(c, schema, { maxFieldChars: 4096 });
  const next = form.ok ? form.data.next : form.values.next;
  const code = (form.ok ? form.data.code : "").replace(/\s/g, "");
  const credential = await findEnabledCredential(deps.db, user.id);
  const now = deps.clock.now();
  const check = credential ? verifyTotp(openTotpSecret(deps, credential), code, now) : undefined;
  const claimed =
    check?.ok === true &&
    (await claimTimeStep(deps.db, { userId: user.id, step: check.step, now }));
  if (!claimed) {
    await reauth.failed({
      type: "sudo_confirmed",
      details: { reason: check?.ok ? "replayed_code" : "wrong_code", method: "totp" },
    });
    return { ok: false, next, error: WRONG_SUDO_CODE };
  }
  await grantSudo(c, deps, { reauth, user, windowMinutes: input.windowMinutes, method: "totp" });
  return { ok: true, next };
}

/**
 * Re-authenticated, by password or code: a new session token that alone
 * holds the sudo window (ASVS 7.2.4), a fresh login budget, the audit record.
 */
export async function grantSudo(
  c: Context,
  deps: Deps,
  input: { reauth: Recheck; user: User; windowMinutes: number; method?: "totp" | "passkey" },
): Promise<void> {
  const { user, windowMinutes } = input;
  await rotateSession(c, deps, {
    sudoUntil: new Date(deps.clock.now().getTime() + windowMinutes * 60_000),
  });
  await input.reauth.passed();
  await deps.audit.forRequest(c).record({
    type: "sudo_confirmed",
    outcome: "success",
    targetId: user.id,
    details:
      input.method === undefined ? { windowMinutes } : { windowMinutes, method: input.method },
  });
}

/** The /auth/confirm form for accounts without a password but with an authenticator app. */
export function SudoCodeForm(props: { next?: string; error?: string }) {
  return (
    <Form action="/auth/confirm" novalidate>
      <CodeField
        label="Code from your authenticator app"
        hint="Your account has no password: the 6-digit code from your app confirms it is you."
        error={props.error}
      />
      {props.next !== undefined && <input type="hidden" name="next" value={props.next} />}
      <Button type="submit" block>
        Confirm
      </Button>
    </Form>
  );
}
