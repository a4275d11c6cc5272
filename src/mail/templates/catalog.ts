import {
  lockoutNoticeEmail,
  passwordChangedEmail,
  passwordResetEmail,
  registrationAttemptEmail,
  verificationEmail,
} from "./account-access.js";
import {
  accountDeactivatedEmail,
  accountDeletedEmail,
  accountReactivatedEmail,
  roleChangedEmail,
  twoFactorResetEmail,
} from "./admin-notices.js";
import { alertEmail } from "./alert.js";
import { emailChangeConfirmEmail, emailChangeNoticeEmail } from "./email-change.js";
import { oauthSignInAttemptEmail } from "./oauth.js";
import {
  passkeyAddedEmail,
  passkeyCounterRegressionEmail,
  passkeyRemovedEmail,
} from "./passkeys.js";
import { newSignInEmail } from "./sign-in.js";
import {
  backupCodesRegeneratedEmail,
  backupCodeUsedEmail,
  twoFactorDisabledEmail,
  twoFactorEnabledEmail,
} from "./two-factor.js";

/**
 * Every mail the app sends, by the name stored in mail_outbox.template. A
 * template is a pure function of its props: (props) -> { template, subject, text, html }.
 */
export const emailTemplates = {
  verification: verificationEmail,
  password_reset: passwordResetEmail,
  password_changed: passwordChangedEmail,
  email_change_confirm: emailChangeConfirmEmail,
  email_change_notice: emailChangeNoticeEmail,
  lockout_notice: lockoutNoticeEmail,
  registration_attempt: registrationAttemptEmail,
  oauth_sign_in_attempt: oauthSignInAttemptEmail,
  new_sign_in: newSignInEmail,
  two_factor_enabled: twoFactorEnabledEmail,
  two_factor_disabled: twoFactorDisabledEmail,
  two_factor_backup_code_used: backupCodeUsedEmail,
  two_factor_backup_codes_regenerated: backupCodesRegeneratedEmail,
  // passkeys (src/auth/passkeys)
  passkey_added: passkeyAddedEmail,
  passkey_removed: passkeyRemovedEmail,
  passkey_counter_regression: passkeyCounterRegressionEmail,
  // admin console and CLI (src/admin/users)
  role_changed: roleChangedEmail,
  account_deactivated: accountDeactivatedEmail,
  account_reactivated: accountReactivatedEmail,
  two_factor_reset: twoFactorResetEmail,
  account_deleted: accountDeletedEmail,
  // operators in ALERT_EMAIL_TO (src/alerts/), not an account holder
  alert: alertEmail,
} as const;

export type EmailTemplateName = keyof typeof emailTemplates;
