import { linkedProvidersSection } from "./linked-providers-section.js";
import { passkeysSection } from "./passkeys-section.js";
import type { SecuritySection } from "./section.js";
import { twoFactorSection } from "./two-factor-section.js";

/** The sections of /account/security, in order (see section.ts for how to add one). */
export function securitySections(): SecuritySection[] {
  return [passkeysSection, twoFactorSection, linkedProvidersSection];
}
