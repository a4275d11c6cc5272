import type { Child } from "hono/jsx";
import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Field, FieldError } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { ROLE_DESCRIPTIONS } from "../../users/roles.js";
import { USER_ROLES, type UserRole } from "../../users/user.js";
import { AdminPage } from "../layout.js";
import { type UserDetail, userPath } from "./detail-data.js";
import { StatusBadges, userCrumbs } from "./detail-view.js";

export interface ConfirmPageProps {
  detail: UserDetail;
  title: string;
  /** The crumb naming this step ("Deactivate"). */
  step: string;
  /** What will happen, one sentence each. */
  effects: readonly string[];
  /** The POST target. */
  action: string;
  confirmLabel: string;
  danger: boolean;
  /** Why the action does not apply now: shown instead of the Confirm button. */
  unavailable?: string;
  /** The service's refusal of a POST (last admin, nothing to change ...), shown above. */
  refusal?: string;
  /** Fields the action needs (a role, the typed address). */
  fields?: Child;
}

/**
 * Every action's confirm page: who, what will happen, then Confirm (a POST
 * with the CSRF field) or Cancel (a link back to the user's page). Nothing
 * changes until Confirm is pressed; the page itself is a GET.
 */
export function ConfirmPage(props: ConfirmPageProps) {
  const { user } = props.detail;
  const back = userPath(user.id);
  return (
    <AdminPage
      title={props.title}
      description={
        <>
          <span class="user-email">{user.email}</span> <StatusBadges user={user} />
        </>
      }
      breadcrumbs={userCrumbs(user, props.step)}
    >
      <Card class="confirm-card">
        <div class="stack">
          {props.refusal !== undefined && (
            <Alert kind="error" id="action-refused" title="Nothing was changed">
              {props.refusal}
            </Alert>
          )}
          <div>
            <h2 class="confirm-card__heading">What happens</h2>
            <ul class="confirm-effects" id="confirm-effects">
              {props.effects.map((effect) => (
                <li>{effect}</li>
              ))}
            </ul>
          </div>
          {props.unavailable !== undefined ? (
            <>
              <Alert kind="info" id="action-unavailable">
                {props.unavailable}
              </Alert>
              <div class="actions">
                <ButtonLink href={back} variant="secondary">
                  Back to {user.firstName.trim() || user.email}
                </ButtonLink>
              </div>
            </>
          ) : (
            <Form action={props.action} id="confirm-form" class="stack" novalidate>
              {props.fields}
              <div class="actions confirm-card__actions">
                <Button type="submit" variant={props.danger ? "danger" : "primary"}>
                  {props.confirmLabel}
                </Button>
                <a href={back} class="btn btn--ghost" id="confirm-cancel">
                  Cancel
                </a>
              </div>
            </Form>
          )}
        </div>
      </Card>
    </AdminPage>
  );
}

/** The role choice: a select of the roles, each role's description listed under it. */
export function RoleFields(props: { current: UserRole; selected?: string; error?: string }) {
  const selected =
    props.selected ?? USER_ROLES.find((role) => role !== props.current) ?? props.current;
  return (
    <div class={props.error ? "field field--invalid" : "field"}>
      <label class="field__label" for="field-role">
        New role
      </label>
      <select
        class="field__input"
        id="field-role"
        name="role"
        required
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? "field-role-hint field-role-error" : "field-role-hint"}
      >
        {USER_ROLES.map((role) => (
          <option value={role} selected={role === selected}>
            {role}
            {role === props.current ? " (current)" : ""}
          </option>
        ))}
      </select>
      <dl class="role-descriptions" id="field-role-hint">
        {USER_ROLES.map((role) => (
          <div class="role-descriptions__row">
            <dt>{role}</dt>
            <dd>{ROLE_DESCRIPTIONS[role]}</dd>
          </div>
        ))}
      </dl>
      {props.error && <FieldError id="field-role-error" message={props.error} />}
    </div>
  );
}

/** Delete: the account's address typed out, so a slip of the mouse cannot delete anyone. */
export function ConfirmEmailFields(props: { email: string; value?: string; error?: string }) {
  return (
    <Field
      name="confirm_email"
      label={
        <>
          Type <strong class="confirm-card__email">{props.email}</strong> to confirm
        </>
      }
      type="text"
      value={props.value}
      error={props.error}
      autocomplete="off"
      maxlength={320}
      required
      attrs={{ spellcheck: "false", autocapitalize: "off" }}
    />
  );
}
