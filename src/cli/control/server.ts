import { chmodSync, lstatSync, mkdirSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import type { Deps } from "../../deps.js";
import { runAuditCommand } from "../commands/audit.js";
import { runUserCommand } from "../commands/user.js";
import { runDoctorFactsCommand } from "../doctor/facts.js";
import {
  type ControlReply,
  type ControlRequest,
  controlDirPath,
  controlSocketPath,
  encode,
  IDLE_TIMEOUT_MS,
  MAX_REQUEST_BYTES,
  MAX_SOCKET_PATH_BYTES,
  parseRequest,
  socketPathFits,
} from "./protocol.js";

/**
 * The server's end of the control socket: `npm run cli -- user ...` while
 * the server runs. On DuckDB one process holds the database file, so the CLI
 * cannot open it beside a running server; it asks the server instead, which
 * runs the same command function (commands/user.ts) on its own Deps.
 *
 * Who can connect: a Unix domain socket is reached through the file system,
 * so the socket (0600) sits in a directory only the server's OS user may
 * enter (0700). Node cannot read the peer's credentials (SO_PEERCRED), so
 * these modes are the whole access check: the same OS user could open the
 * database file anyway. Never a TCP port.
 */
export interface ControlSocket {
  path: string;
  /** Stops accepting, lets running commands finish (up to `timeoutMs`), removes the socket file. */
  close(timeoutMs: number): Promise<void>;
}

/** What the operator should fix, for the start-up log. */
export class ControlSocketError extends Error {
  override readonly name = "ControlSocketError";
}

export interface ControlSocketOptions {
  dataDir: string;
  deps: Deps;
  logger: Logger;
  /** Silence allowed before the request line is complete (tests shorten it). */
  idleTimeoutMs?: number;
}

/** At most this many CLI connections at once; Node closes any more as they arrive. */
const MAX_CONNECTIONS = 8;

/**
 * Opens DATA_DIR/run/control.sock. Resolves undefined, leaving it alone,
 * when another live server already answers on it (two servers sharing a
 * DATA_DIR on PostgreSQL); a stale file from a killed server is replaced.
 */
export async function openControlSocket(
  options: ControlSocketOptions,
): Promise<ControlSocket | undefined> {
  const dir = controlDirPath(options.dataDir);
  const path = controlSocketPath(options.dataDir);
  if (!socketPathFits(path)) {
    throw new ControlSocketError(
      `${path} is longer than a Unix socket path may be (${MAX_SOCKET_PATH_BYTES} bytes); use a shorter DATA_DIR`,
    );
  }
  privateDirectory(dir);
  if (await answers(path)) {
    options.logger.warn(
      { socket: path },
      "another server answers on the control socket; this one does not open it (CLI commands reach that server)",
    );
    return undefined;
  }
  removeStale(path);
  const connections = new Set<Socket>();
  /** Commands in flight, by the connection that asked. */
  const running = new Map<Socket, Promise<unknown>>();
  // Half-open allowed: a client may send its request and close its side, and still read the answers.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    serveConnection(socket, { ...options, running });
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // The directory already keeps others out; 0600 says the same on the socket itself.
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    server.close();
    throw error;
  }
  server.on("error", (err) => options.logger.error({ err }, "control socket error"));
  return {
    path,
    close: (timeoutMs) => closeServer({ server, connections, running, path, timeoutMs }),
  };
}

/** DATA_DIR/run, 0700, owned by this user, and a real directory (not a link to one elsewhere). */
function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) {
    throw new ControlSocketError(`${dir} is not a directory (a symbolic link?); remove it`);
  }
  if (typeof process.getuid === "function" && stat.uid !== process.getuid()) {
    throw new ControlSocketError(
      `${dir} belongs to another OS user (uid ${stat.uid}); remove it or run the server as that user`,
    );
  }
  // mkdir's mode passes through the umask, and an existing directory keeps its own mode.
  chmodSync(dir, 0o700);
}

/** Whether a live server accepts connections on `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** A socket left by a server that did not shut down (killed); anything else there is not ours to delete. */
function removeStale(path: string): void {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) {
    throw new ControlSocketError(`${path} exists and is not a socket; remove it`);
  }
  rmSync(path, { force: true });
}

function serveConnection(
  socket: Socket,
  options: ControlSocketOptions & { running: Map<Socket, Promise<unknown>> },
): void {
  let received = 0;
  let buffered = "";
  let started = false;
  const send = (reply: ControlReply) => {
    if (socket.writable) socket.write(encode(reply));
  };
  const refuse = (problem: string) => {
    started = true;
    send({ err: `error: ${problem}` });
    send({ exit: 2 });
    socket.end();
    // A peer that never reads its answer does not keep the connection.
    setTimeout(() => socket.destroy(), 1_000).unref();
  };
  // A client that went away mid-command is no concern of the command's.
  socket.on("error", () => {});
  socket.setEncoding("utf8");
  // Cleared once the request line is in: a command (hashing a password) may take longer.
  socket.setTimeout(options.idleTimeoutMs ?? IDLE_TIMEOUT_MS, () => {
    if (!started) refuse("no complete request line in time");
  });
  socket.on("data", (chunk: string) => {
    if (started) return; // one request per connection; anything after it is ignored
    received += Buffer.byteLength(chunk);
    if (received > MAX_REQUEST_BYTES) {
      refuse(`the request is longer than ${MAX_REQUEST_BYTES} bytes`);
      return;
    }
    buffered += chunk;
    const end = buffered.indexOf("\n");
    if (end === -1) return;
    started = true;
    socket.setTimeout(0);
    const request = parseRequest(buffered.slice(0, end));
    buffered = "";
    if ("problem" in request) {
      refuse(request.problem);
      return;
    }
    const command = runRequest(request, send, options).then((exit) => {
      send({ exit });
      socket.end();
    });
    options.running.set(socket, command);
    void command.finally(() => options.running.delete(socket));
  });
  socket.on("end", () => {
    if (!started) refuse("the connection ended before a complete request line");
  });
}

async function runRequest(
  request: ControlRequest,
  send: (reply: ControlReply) => void,
  options: ControlSocketOptions,
): Promise<number> {
  const { logger, deps } = options;
  // The subcommand only: never the arguments (an email) or the password.
  const sub = request.args[0]?.slice(0, 32);
  const { command } = request;
  const io = {
    deps,
    out: (line: string) => send({ out: line }),
    err: (line: string) => send({ err: line }),
  };
  try {
    const exit =
      command === "audit"
        ? await runAuditCommand(request.args, io)
        : command === "doctor"
          ? await runDoctorFactsCommand(request.args, io)
          : await runUserCommand(request.args, { ...io, password: request.password });
    logger.info({ command, subcommand: sub, exit }, "control socket: command ran");
    return exit;
  } catch (err) {
    logger.error({ err, command, subcommand: sub }, "control socket: command failed");
    send({ err: "error: the command failed in the server (its log has the details)" });
    return 1;
  }
}

/**
 * Stops accepting, then waits for the commands already running (up to
 * `timeoutMs`): the database closes after this, and a command cut off
 * halfway would fail on it. Connections still open then are cut.
 */
async function closeServer(options: {
  server: Server;
  connections: Set<Socket>;
  running: Map<Socket, Promise<unknown>>;
  path: string;
  timeoutMs: number;
}): Promise<void> {
  const { server, connections, running, path, timeoutMs } = options;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A connection still waiting for its request line has nothing to lose.
  for (const socket of connections) if (!running.has(socket)) socket.destroy();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  // Finished commands end their connections themselves, after the exit line is written.
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  for (const socket of connections) socket.destroy();
  await closed;
  // Node removes the file itself on close; this covers a platform or version that does not.
  rmSync(path, { force: true });
}
/**
 * For the composition root: the server runs without its control socket
 * when it cannot be opened (the operator then stops the server to use the
 * CLI on DuckDB), and says why in the log.
 */
export async function startControlSocket(
  options: ControlSocketOptions,
): Promise<ControlSocket | undefined> {
  try {
    const control = await openControlSocket(options);
    if (control) options.logger.info({ socket: control.path }, "control socket open for the CLI");
    return control;
  } catch (err) {
    options.logger.error(
      { err },
      "control socket not opened: `npm run cli -- user ...` needs the server stopped on DuckDB",
    );
    return undefined;
  }
}
