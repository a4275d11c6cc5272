import { createUserAdmin } from "../../admin/users/actions.js";
import type { ActionResult, AdminActor, UserAdmin } from "../../admin/users/types.js";
import type { Deps } from "../../deps.js";
import { quoted } from "../../lib/encoding.js";
import {
  createRole,
  listLimit,
  listRole,
  type ParsedUserArgs,
  parseUserArgs,
  userHelp,
} from "./user-args.js";
import { userListJson, userListText, userShowJson, userShowText } from "./user-output.js";
import { findUserByRef, listUsersForCli, userDetails } from "./user-queries.js";

export interface UserCommandContext {
  /** The process's own: the server's through its control socket, or the CLI's on a database it opened. */
  deps: Deps;
  out(line: string): void;
  err(line: string): void;
  /**
   * The password for `user create`, read by the CLI process (a no-echo prompt
   * or stdin) before it came here, so both paths take it the same way.
   */
  password?: string;
}

/** The operator at the server's shell: the service audits it with actor "cli". */
const CLI: AdminActor = { kind: "cli" };

type Action = (admin: UserAdmin, userId: string) => Promise<ActionResult>;

/**
 * Every subcommand that changes one account, as the UserAdmin call it is.
 * Only reset-2fa and delete reach 2FA or provider rows: promote is a role
 * change and nothing else (the old framework wiped 2FA and OAuth to promote).
 */
const ACTIONS: Readonly<Record<string, Action>> = {
  promote: (admin, id) => admin.changeRole(CLI, id, "admin"),
  demote: (admin, id) => admin.changeRole(CLI, id, "user"),
  activate: (admin, id) => admin.reactivate(CLI, id),
  deactivate: (admin, id) => admin.deactivate(CLI, id),
  unlock: (admin, id) => admin.unlock(CLI, id),
  "reset-2fa": (admin, id) => admin.resetTwoFactor(CLI, id),
  "revoke-sessions": (admin, id) => admin.revokeAllSessions(CLI, id),
};

/**
 * `user <subcommand>` on a process's Deps; the same function runs in the CLI
 * process (database opened directly) and in the server (control socket).
 * Returns the exit code: 0 ok, 1 failure or refusal, 2 usage.
 */
export async function runUserCommand(
  args: readonly string[],
  ctx: UserCommandContext,
): Promise<number> {
  const result = parseUserArgs(args);
  if (!result.ok) {
    ctx.err(`error: ${result.problem}\n\n${userHelp(args)}`);
    return 2;
  }
  const { parsed } = result;
  const { deps } = ctx;
  if (parsed.sub === "list") {
    const page = await listUsersForCli(deps, {
      search: parsed.values.get("--search"),
      role: listRole(parsed),
      limit: listLimit(parsed),
    });
    if (parsed.switches.has("--json")) ctx.out(userListJson(page));
    else for (const line of userListText(page)) ctx.out(line);
    return 0;
  }
  if (parsed.sub === "create") return create(parsed, ctx);

  const ref = parsed.target ?? "";
  const user = await findUserByRef(deps, ref);
  if (user === undefined) return noUser(ref, ctx);
  if (parsed.sub === "show") {
    const details = await userDetails(deps, user);
    if (parsed.switches.has("--json")) ctx.out(userShowJson(details));
    else for (const line of userShowText(details)) ctx.out(line);
    return 0;
  }
  const admin = createUserAdmin(deps);
  if (parsed.sub === "delete") {
    // --yes was checked with the arguments; the address confirmed is the one just found.
    return report(await admin.deleteUser(CLI, user.id, { confirmEmail: user.email }), ref, ctx);
  }
  const action = ACTIONS[parsed.sub];
  // A subcommand in user-args.ts without its action here is a programming error, not input.
  if (action === undefined) throw new Error(`user ${parsed.sub}: no action defined`);
  return report(await action(admin, user.id), ref, ctx);
}

async function create(parsed: ParsedUserArgs, ctx: UserCommandContext): Promise<number> {
  if (ctx.password === undefined || ctx.password === "") {
    ctx.err("error: no password given (type it at the prompt, or pipe it with --password-stdin)");
    return 1;
  }
  const outcome = await createUserAdmin(ctx.deps).createUser(CLI, {
    email: parsed.values.get("--email") ?? "",
    firstName: parsed.values.get("--first-name") ?? "",
    lastName: parsed.values.get("--last-name") ?? "",
    password: ctx.password,
    role: createRole(parsed),
  });
  if (!outcome.ok && outcome.refusal === "invalid_input") {
    ctx.err(`error: ${flagNamed(outcome.message)}`);
    return 1;
  }
  return report(outcome, parsed.values.get("--email") ?? "", ctx);
}

const FIELD_FLAGS: Readonly<Record<string, string>> = {
  email: "--email",
  firstName: "--first-name",
  lastName: "--last-name",
};

/** "firstName: Enter …" as the operator typed it: "--first-name: Enter …". */
function flagNamed(message: string): string {
  const field = /^(\w+):/.exec(message)?.[1];
  const flag = field === undefined ? undefined : FIELD_FLAGS[field];
  return flag === undefined ? message : `${flag}${message.slice(field?.length ?? 0)}`;
}

function report(outcome: ActionResult, ref: string, ctx: UserCommandContext): number {
  if (outcome.ok) {
    ctx.out(outcome.message);
    return 0;
  }
  // Gone between the look-up and the action (deleted meanwhile): the same words as never there.
  if (outcome.refusal === "not_found") return noUser(ref, ctx);
  ctx.err(`error: ${outcome.message}`);
  return 1;
}

function noUser(ref: string, ctx: UserCommandContext): number {
  ctx.err(`error: no user ${quoted(ref)}`);
  return 1;
}
