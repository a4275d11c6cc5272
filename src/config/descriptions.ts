import { APP_VARIABLES } from "./descriptions-app.js";
import { OPERATIONS_VARIABLES } from "./descriptions-operations.js";
import { SECURITY_VARIABLES } from "./descriptions-security.js";
import type { RawEnv } from "./schema.js";
import type { VariableDescription } from "./sections.js";

export { CONFIG_SECTIONS, type ConfigSection, type VariableDescription } from "./sections.js";

/**
 * What every environment variable means, for docs/configuration.md (written
 * by `npm run docs:config` from this table and the schema's defaults), kept
 * in three parts by role. Typed by the schema's keys, so a variable added to
 * schema.ts without a line in one of them fails the type check, and a line
 * left behind by a removed one does too.
 */
export const ENV_DESCRIPTIONS: Readonly<Record<keyof RawEnv, VariableDescription>> = {
  ...APP_VARIABLES,
  ...SECURITY_VARIABLES,
  ...OPERATIONS_VARIABLES,
};
