import { connect } from "node:net";
import { type ControlRequest, encode, parseReply, socketPathFits } from "./protocol.js";

/**
 * The CLI's end of the control socket. `reached: false` means no server
 * answers here (no socket file, a stale one left by a killed server, or not
 * a socket at all): the caller then opens the database itself.
 */
export type ControlAttempt = { reached: false } | { reached: true; exit: number };

/** Errors that mean "nobody is listening", not "something is wrong". */
const NO_SERVER = new Set(["ENOENT", "ECONNREFUSED", "ENOTSOCK", "ENOTDIR"]);

export class ControlConnectError extends Error {
  override readonly name = "ControlConnectError";
}

export function runThroughServer(
  path: string,
  request: ControlRequest,
  io: { out(line: string): void; err(line: string): void },
): Promise<ControlAttempt> {
  // The server does not open a socket it cannot bind whole (server.ts), so none answers there.
  if (!socketPathFits(path)) return Promise.resolve({ reached: false });
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let connected = false;
    let exit: number | undefined;
    let buffered = "";
    socket.setEncoding("utf8");
    socket.once("connect", () => {
      connected = true;
      socket.write(encode(request));
    });
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf("\n"); end !== -1; end = buffered.indexOf("\n")) {
        const reply = parseReply(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        if (reply === undefined) continue; // not ours to show; the missing exit says the rest
        if ("out" in reply) io.out(reply.out);
        else if ("err" in reply) io.err(reply.err);
        else exit = reply.exit;
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (connected) return; // reported by "close" below, with what is known
      if (error.code !== undefined && NO_SERVER.has(error.code)) resolve({ reached: false });
      else
        reject(
          new ControlConnectError(
            `cannot reach the server's control socket ${path} (${error.code ?? error.message}${
              error.code === "EACCES"
                ? ": it belongs to another OS user; run the command as that user"
                : ""
            })`,
          ),
        );
    });
    socket.on("close", () => {
      if (!connected) return;
      if (exit === undefined) {
        io.err(
          "error: the server closed the control connection before the command finished; it may or may not have run (check with `user show`)",
        );
        resolve({ reached: true, exit: 1 });
      } else resolve({ reached: true, exit });
    });
  });
}
