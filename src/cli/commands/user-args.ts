import { quoted } from "../../lib/encoding.js";
import { isUserRole } from "../../users/roles.js";
import { USER_ROLES, type UserRole } from "../../users/user.js";

/**
 * The arguments of `user <subcommand>`, checked without touching config,
 * the database or the control socket: the CLI process checks them before it
 * connects anywhere, and the server checks them again for what arrives on
 * its socket (which anyone of the same OS user can write to).
 */
type FlagKind = "switch" | "value";

interface SubcommandSpec {
  /** One line under "Commands:" in the CLI's usage. */
  summary: string;
  /** Whether it names one user (email or id) after the subcommand. */
  target: boolean;
  flags: Readonly<Record<string, FlagKind>>;
  /** Extra lines of `user <sub> --help`. */
  details?: readonly string[];
}

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 1000;

const SPECS = {
  list: {
    summary: "list accounts, newest first (--search TEXT, --role ROLE, --limit N, --json)",
    target: false,
    flags: { "--json": "switch", "--search": "value", "--role": "value", "--limit": "value" },
    details: [
      "  --search TEXT   part of the email or name, any case",
      `  --role ROLE     only this role (${USER_ROLES.join(", ")})`,
      `  --limit N       at most N accounts (default ${LIST_LIMIT_DEFAULT}, at most ${LIST_LIMIT_MAX})`,
      '  --json          {"users": [...], "total": N}: total counts every match, not only those shown',
    ],
  },
  show: {
    summary: "one account: role, status, verification, sign-in lock, 2FA, providers, sessions",
    target: true,
    flags: { "--json": "switch" },
    details: ["  --json   the same as one JSON object"],
  },
  create: {
    summary:
      "a verified account: --email E --first-name F [--last-name L] [--admin] [--password-stdin]",
    target: false,
    flags: {
      "--email": "value",
      "--first-name": "value",
      "--last-name": "value",
      "--admin": "switch",
      "--password-stdin": "switch",
    },
    details: [
      "  --email E          the sign-in address (required)",
      "  --first-name F     the name shown in the app (required)",
      "  --last-name L      (optional)",
      "  --admin            an administrator (default: a plain user)",
      "  --password-stdin   read the password from standard input (one line) instead of",
      "                     asking for it at the terminal, e.g. from a secrets file:",
      "                     npm run cli -- user create --email a@example.com --admin --password-stdin < pw.txt",
      "The password must pass the same policy as sign-up; it never appears on the command line.",
    ],
  },
  promote: { summary: "make the user an administrator (signs them out)", target: true, flags: {} },
  demote: {
    summary: "make an administrator a plain user (signs them out; never the last active admin)",
    target: true,
    flags: {},
  },
  activate: { summary: "let a deactivated user sign in again", target: true, flags: {} },
  deactivate: {
    summary: "stop the user signing in and end every session (never the last active admin)",
    target: true,
    flags: {},
  },
  unlock: {
    summary: "lift the sign-in lock after too many wrong passwords",
    target: true,
    flags: {},
  },
  "reset-2fa": {
    summary: "remove the user's two-factor credential and backup codes (mails them)",
    target: true,
    flags: {},
  },
  "revoke-sessions": { summary: "sign the user out everywhere", target: true, flags: {} },
  delete: {
    summary: "delete the account and every row about it (needs --yes)",
    target: true,
    flags: { "--yes": "switch" },
    details: [
      "  --yes   required: deletion cannot be undone (sessions, tokens, 2FA, linked providers",
      "          and queued mail go; audit events stay, with the email hashed)",
    ],
  },
} as const satisfies Record<string, SubcommandSpec>;

export type UserSubcommand = keyof typeof SPECS;

export const USER_SUBCOMMANDS = Object.keys(SPECS) as readonly UserSubcommand[];

const TARGET_WORDS = "USER is an email address or an account id.";

function synopsis(sub: UserSubcommand): string {
  const spec: SubcommandSpec = SPECS[sub];
  return spec.target ? `user ${sub} USER` : `user ${sub}`;
}

/** The lines listed under "Commands:" in the CLI's usage. */
export const USER_USAGE: readonly string[] = USER_SUBCOMMANDS.map(
  (sub) => `  ${synopsis(sub).padEnd(26)} ${SPECS[sub].summary}`,
);

/** `user <sub> --help`: what the subcommand does and its flags; `user --help` lists them all. */
export function userHelp(args: readonly string[]): string {
  const sub = args[0];
  if (sub === undefined || !isSubcommand(sub)) {
    return [
      `Usage: npm run cli -- user <${USER_SUBCOMMANDS.join("|")}>`,
      "",
      ...USER_USAGE,
      "",
      TARGET_WORDS,
      "Works while the server runs (through its control socket under DATA_DIR) and while it is stopped.",
    ].join("\n");
  }
  const spec: SubcommandSpec = SPECS[sub];
  const lines = [`Usage: npm run cli -- ${synopsis(sub)}`, "", `${spec.summary}.`];
  if (spec.details) lines.push("", ...spec.details);
  if (spec.target) lines.push("", TARGET_WORDS);
  return lines.join("\n");
}

export interface ParsedUserArgs {
  sub: UserSubcommand;
  /** The email or id after the subcommand. */
  target: string | undefined;
  switches: ReadonlySet<string>;
  values: ReadonlyMap<string, string>;
}

export type UserArgsResult = { ok: true; parsed: ParsedUserArgs } | { ok: false; problem: string };

function isSubcommand(value: string): value is UserSubcommand {
  return Object.hasOwn(SPECS, value);
}

/** `--name value` and `--name=value`; a value may not be empty or look like another flag. */
export function parseUserArgs(args: readonly string[]): UserArgsResult {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    return { ok: false, problem: `"user" needs a subcommand: ${USER_SUBCOMMANDS.join(", ")}` };
  }
  if (!isSubcommand(sub))
    return { ok: false, problem: `unknown subcommand ${quoted(`user ${sub}`)}` };
  const spec: SubcommandSpec = SPECS[sub];
  const name = `user ${sub}`;
  const switches = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? "";
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const kind = Object.hasOwn(spec.flags, flag) ? spec.flags[flag] : undefined;
    if (kind === undefined) {
      return { ok: false, problem: `unknown option ${quoted(flag)} for ${quoted(name)}` };
    }
    if (switches.has(flag) || values.has(flag)) {
      return { ok: false, problem: `${quoted(flag)} given twice` };
    }
    if (kind === "switch") {
      if (eq !== -1) return { ok: false, problem: `${quoted(flag)} takes no value` };
      switches.add(flag);
      continue;
    }
    const value = eq === -1 ? rest[++i] : arg.slice(eq + 1);
    if (value === undefined || value.trim() === "" || (eq === -1 && value.startsWith("--"))) {
      return { ok: false, problem: `${quoted(flag)} needs a value` };
    }
    values.set(flag, value);
  }
  const [target, extra] = positional;
  if (spec.target && target === undefined) {
    return {
      ok: false,
      problem: `${quoted(name)} needs a user: an email address or an account id`,
    };
  }
  const unexpected = spec.target ? extra : target;
  if (unexpected !== undefined) {
    return {
      ok: false,
      problem: `unexpected argument ${quoted(unexpected)} after ${quoted(name)}`,
    };
  }
  const parsed: ParsedUserArgs = { sub, target, switches, values };
  return checkValues(parsed);
}

/** What the flags' values must be, still before anything is opened. */
function checkValues(parsed: ParsedUserArgs): UserArgsResult {
  const { sub, values, switches } = parsed;
  const role = values.get("--role");
  if (role !== undefined && !isUserRole(role)) {
    return {
      ok: false,
      problem: `--role must be one of ${USER_ROLES.join(", ")}, not ${quoted(role)}`,
    };
  }
  const limit = values.get("--limit");
  if (limit !== undefined && !validLimit(limit)) {
    return { ok: false, problem: `--limit must be a whole number from 1 to ${LIST_LIMIT_MAX}` };
  }
  if (sub === "create") {
    const missing = ["--email", "--first-name"].filter((flag) => !values.has(flag));
    if (missing.length > 0) {
      return { ok: false, problem: `"user create" needs ${missing.join(" and ")}` };
    }
  }
  if (sub === "delete" && !switches.has("--yes")) {
    return {
      ok: false,
      problem:
        '"user delete" removes the account and every row about it, and cannot be undone: add --yes to confirm',
    };
  }
  return { ok: true, parsed };
}

function validLimit(value: string): boolean {
  return /^\d{1,4}$/.test(value) && Number(value) >= 1 && Number(value) <= LIST_LIMIT_MAX;
}

/** The role `user create` makes. */
export function createRole(parsed: ParsedUserArgs): UserRole {
  return parsed.switches.has("--admin") ? "admin" : "user";
}

/** Whether `user create` reads its password from stdin (else it asks at the terminal). */
export function wantsPasswordStdin(parsed: ParsedUserArgs): boolean {
  return parsed.switches.has("--password-stdin");
}

export function listLimit(parsed: ParsedUserArgs): number {
  const given = parsed.values.get("--limit");
  return given === undefined ? LIST_LIMIT_DEFAULT : Number(given);
}

export function listRole(parsed: ParsedUserArgs): UserRole | undefined {
  const role = parsed.values.get("--role");
  return isUserRole(role) ? role : undefined;
}
