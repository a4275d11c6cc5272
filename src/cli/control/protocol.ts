import { join } from "node:path";

/**
 * The control socket's wire format: newline-delimited JSON over a Unix
 * domain socket. The CLI writes one request line; the server answers with
 * the command's output, a line each, and ends with its exit code.
 *
 *   → {"command":"user","args":["promote","a@example.com"]}
 *   ← {"out":"a@example.com is now an admin"}
 *   ← {"exit":0}
 *
 * Unix domain sockets only: Windows named pipes are out of scope (Bastion's
 * servers run on Linux and macOS; on Windows the CLI opens the database
 * directly, which on DuckDB needs the server stopped).
 */

/** Under DATA_DIR: a directory only the server's OS user can enter (0700), holding the socket (0600). */
export const CONTROL_DIR = "run";
export const CONTROL_SOCKET = "control.sock";

export function controlDirPath(dataDir: string): string {
  return join(dataDir, CONTROL_DIR);
}

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_DIR, CONTROL_SOCKET);
}

/**
 * The longest socket path the kernel takes whole: sun_path is 108 bytes on
 * Linux and 104 on macOS, NUL included. Node does not refuse a longer one;
 * the kernel silently binds a truncated path, somewhere else.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
}

/**
 * The longest request line: arguments and a password fit many times over
 * (the password policy caps passwords far below this); anything longer is
 * not the CLI talking, and is not buffered.
 */
export const MAX_REQUEST_BYTES = 64 * 1024;
const MAX_ARGS = 32;
const MAX_ARG_CHARS = 1024;

/** How long a connection may stay silent before its request line is complete. */
export const IDLE_TIMEOUT_MS = 5_000;

/** The CLI commands a running server serves on its socket. */
export const CONTROL_COMMANDS = ["user", "audit", "doctor"] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export interface ControlRequest {
  command: ControlCommand;
  args: string[];
  /** `user create`'s password, read by the CLI process (prompt or stdin). */
  password?: string;
}

export type ControlReply = { out: string } | { err: string } | { exit: number };

export function encode(message: ControlRequest | ControlReply): string {
  return `${JSON.stringify(message)}\n`;
}

/** The request, or what is wrong with it in words (the line is whatever the peer sent). */
export function parseRequest(line: string): ControlRequest | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: "the request is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { problem: "the request is not a JSON object" };
  }
  const { command, args, password } = value as Record<string, unknown>;
  if (!CONTROL_COMMANDS.includes(command as ControlCommand)) {
    return {
      problem: `the commands served here are ${CONTROL_COMMANDS.map((c) => `"${c}"`).join(", ")}`,
    };
  }
  if (
    !Array.isArray(args) ||
    args.length > MAX_ARGS ||
    !args.every((a): a is string => typeof a === "string" && a.length <= MAX_ARG_CHARS)
  ) {
    return { problem: `"args" must be a list of at most ${MAX_ARGS} short strings` };
  }
  if (password !== undefined && typeof password !== "string") {
    return { problem: '"password" must be a string' };
  }
  const known = command as ControlCommand;
  return password === undefined ? { command: known, args } : { command: known, args, password };
}

/** One reply line from the server; undefined for anything else (the CLI then reports a broken reply). */
export function parseReply(line: string): ControlReply | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const reply = value as Record<string, unknown>;
  if (typeof reply.out === "string") return { out: reply.out };
  if (typeof reply.err === "string") return { err: reply.err };
  if (typeof reply.exit === "number" && Number.isInteger(reply.exit)) return { exit: reply.exit };
  return undefined;
}
