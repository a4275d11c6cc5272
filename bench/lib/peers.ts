/** Forks the bench's own child processes (peer servers, the argon2 verifier) under tsx. */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { track } from "./app.js";

export const PEER_SERVERS = fileURLToPath(new URL("../peers/servers.tsx", import.meta.url));
export const EXPRESS_SERVER = fileURLToPath(new URL("../peers/express/server.ts", import.meta.url));
export const ARGON2_CHILD = fileURLToPath(new URL("../peers/argon2.ts", import.meta.url));

export interface Peer {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/**
 * fork() reuses process.execArgv, so the child runs under tsx like the bench.
 * NODE_ENV=production: hono and express take their production paths.
 */
export function forkChild(file: string, args: string[] = [], env: Record<string, string> = {}) {
  return track(
    fork(file, args, {
      env: { ...process.env, NODE_ENV: "production", ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
}

export function startPeer(file: string, args: string[] = []): Promise<Peer> {
  const child = forkChild(file, args);
  return new Promise((done, fail) => {
    const onExit = (code: number | null) =>
      fail(new Error(`${file} ${args.join(" ")} exited with ${code}`));
    child.once("exit", onExit);
    child.once("message", (message) => {
      child.off("exit", onExit);
      done({
        url: (message as { url: string }).url,
        child,
        stop: () => {
          child.kill();
        },
      });
    });
  });
}
