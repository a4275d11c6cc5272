// Each template module is re-exported whole: all it exports is public.
export * from "./account-access.js";
export * from "./admin-notices.js";
export { type EmailTemplateName, emailTemplates } from "./catalog.js";
export * from "./email-change.js";
export {
  appLink,
  type Block,
  composeEmail,
  displayName,
  type EmailBase,
  type RenderedEmail,
} from "./layout.js";
export * from "./oauth.js";
export * from "./passkeys.js";
export * from "./sign-in.js";
export * from "./two-factor.js";
