export {
  formatUtc,
  lockoutNoticeEmail,
  passwordChangedEmail,
  passwordResetEmail,
  registrationAttemptEmail,
  verificationEmail,
} from "./account-access.js";
export { type EmailTemplateName, emailTemplates } from "./catalog.js";
export { emailChangeConfirmEmail, emailChangeNoticeEmail, maskEmail } from "./email-change.js";
export {
  appLink,
  type Block,
  composeEmail,
  displayName,
  type EmailBase,
  type RenderedEmail,
} from "./layout.js";
export { oauthSignInAttemptEmail } from "./oauth.js";
export { newSignInEmail } from "./sign-in.js";
export {
  backupCodesRegeneratedEmail,
  backupCodeUsedEmail,
  twoFactorDisabledEmail,
  twoFactorEnabledEmail,
} from "./two-factor.js";
