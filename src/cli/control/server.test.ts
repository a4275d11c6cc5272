import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { captureLogger } from "../../../test/logs.js";
import { runThroughServer } from "./client.js";
import { controlDirPath, controlSocketPath, MAX_REQUEST_BYTES } from "./protocol.js";
import {
  type ControlSocket,
  ControlSocketError,
  openControlSocket,
  startControlSocket,
} from "./server.js";

/**
 * The server's end of the control socket, in this process, on a test app's
 * Deps: what arrives on it is whatever a local process wrote, so each bad
 * request gets words and exit 2, and the server keeps serving. The whole
 * path with the real server process is in control-process.test.ts.
 */
const dataDir = mkdtempSync(join(tmpdir(), "bastion-control-"));
const path = controlSocketPath(dataDir);
let t: TestApp;
let control: ControlSocket | undefined;
const { logger, lines: serverLogs } = captureLogger();

beforeAll(async () => {
  t = await createTestApp();
  control = await openControlSocket({ dataDir, deps: t.deps, logger, idleTimeoutMs: 300 });
});
afterAll(async () => {
  await control?.close(1000);
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `user ...` as the CLI does when a server answers. */
async function viaSocket(args: string[], password?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const attempt = await runThroughServer(
    path,
    password === undefined ? { command: "user", args } : { command: "user", args, password },
    { out: (l) => out.push(l), err: (l) => err.push(l) },
  );
  return { attempt, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Writes raw bytes and collects every reply line until the server closes. */
function raw(payload: string | Buffer, options: { end?: boolean } = {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(text.split("\n").filter(Boolean)));
    socket.once("connect", () => {
      if (payload.length > 0) socket.write(payload);
      if (options.end) socket.end();
    });
  });
}

describe("control socket: who can reach it", () => {
  it("is a socket, mode 0600, in a directory of mode 0700 under DATA_DIR", () => {
    expect(control?.path).toBe(join(dataDir, "run", "control.sock"));
    const dir = statSync(controlDirPath(dataDir));
    expect(dir.isDirectory()).toBe(true);
    expect(dir.mode & 0o777).toBe(0o700);
    const socket = statSync(path);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
  });
});

describe("control socket: commands run on the server's Deps", () => {
  it("creates an admin with the password sent in the request, audited as cli", async () => {
    const created = await viaSocket(
      [
        "create",
        "--email",
        "root@example.com",
        "--first-name",
        "Ada",
        "--admin",
        "--password-stdin",
      ],
      "correct horse battery staple",
    );
    expect(created).toMatchObject({ attempt: { reached: true, exit: 0 }, stderr: "" });
    expect(created.stdout).toBe("The account root@example.com was created (admin).");
    const user = await t.deps.users.findByEmail("root@example.com");
    expect(user).toMatchObject({ role: "admin", status: "active" });
    const audit = await t.deps.db.query<{ actor_id: string }>(
      "SELECT actor_id FROM audit_events WHERE type = 'user_created'",
    );
    expect(audit).toEqual([{ actor_id: "cli" }]);
    // The log names the subcommand, never the address or the password.
    const logged = JSON.stringify(
      serverLogs.filter((l) => l.msg === "control socket: command ran"),
    );
    expect(logged).toContain('"subcommand":"create"');
    expect(logged).not.toContain("root@example.com");
    expect(logged).not.toContain("battery");
  });

  it("streams list --json back line for line, and exit codes 1 and 2 as the CLI would give them", async () => {
    const listed = await viaSocket(["list", "--json"]);
    expect(listed.attempt).toEqual({ reached: true, exit: 0 });
    expect(JSON.parse(listed.stdout)).toMatchObject({
      total: 1,
      users: [{ email: "root@example.com", role: "admin" }],
    });
    const missing = await viaSocket(["show", "nobody@example.com"]);
    expect(missing).toMatchObject({
      attempt: { reached: true, exit: 1 },
      stderr: 'error: no user "nobody@example.com"',
    });
    const lastAdmin = await viaSocket(["demote", "root@example.com"]);
    expect(lastAdmin.attempt).toEqual({ reached: true, exit: 1 });
    expect(lastAdmin.stderr).toMatch(/^error: .*admin/i);
    // The server checks the arguments itself: the socket does not trust the CLI's check.
    const usage = await viaSocket(["promote"]);
    expect(usage.attempt).toEqual({ reached: true, exit: 2 });
    expect(usage.stderr).toMatch(
      /^error: "user promote" needs a user.*\n\nUsage: npm run cli -- user promote USER/s,
    );
  });

  it("serves two clients at once", async () => {
    const [a, b] = await Promise.all([
      viaSocket(["list"]),
      viaSocket(["show", "root@example.com"]),
    ]);
    expect(a.attempt).toEqual({ reached: true, exit: 0 });
    expect(b.attempt).toEqual({ reached: true, exit: 0 });
    expect(b.stdout).toMatch(/^email +root@example\.com$/m);
  });
});

describe("control socket: audit verify|prune run in the server", () => {
  async function audit(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const attempt = await runThroughServer(
      path,
      { command: "audit", args },
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
    return { attempt, stdout: out.join("\n"), stderr: err.join("\n") };
  }

  it("verifies the server's own chain, and refuses bad arguments itself", async () => {
    const verify = await audit(["verify"]);
    expect(verify.attempt).toEqual({ reached: true, exit: 0 });
    expect(verify.stdout).toMatch(/^audit chain intact: /);
    const prune = await audit(["prune", "--dry-run"]);
    expect(prune.attempt).toEqual({ reached: true, exit: 0 });
    expect(prune.stdout).toMatch(/^would delete 0 audit rows/);
    const usage = await audit(["verify", "--repair"]);
    expect(usage.attempt).toEqual({ reached: true, exit: 2 });
    expect(usage.stderr).toContain('unexpected argument "--repair" after "audit verify"');
  });
});

describe("control socket: bad requests get words and exit 2, and the server keeps serving", () => {
  it.each([
    ["not JSON", "hello\n", "the request is not JSON"],
    ["a JSON array", "[1,2]\n", "the request is not a JSON object"],
    ["null", "null\n", "the request is not a JSON object"],
    [
      "another command",
      '{"command":"db","args":["shell"]}\n',
      'the commands served here are "user", "audit", "doctor"',
    ],
    [
      "a prototype key",
      '{"__proto__":{"command":"user"},"args":[]}\n',
      'the commands served here are "user", "audit", "doctor"',
    ],
    [
      "args not strings",
      '{"command":"user","args":["list",1]}\n',
      '"args" must be a list of at most 32 short strings',
    ],
    [
      "too many args",
      `${JSON.stringify({ command: "user", args: Array(40).fill("x") })}\n`,
      '"args" must be a list of at most 32 short strings',
    ],
    [
      "a password that is not a string",
      '{"command":"user","args":["list"],"password":5}\n',
      '"password" must be a string',
    ],
    ["invalid UTF-8", Buffer.from([0xff, 0xfe, 0x7b, 0x0a]), "the request is not JSON"],
  ])("%s", async (_label, payload, problem) => {
    const replies = (await raw(payload)).map((line) => JSON.parse(line));
    expect(replies).toEqual([{ err: `error: ${problem}` }, { exit: 2 }]);
  });

  it("cuts off a request longer than the limit without buffering it", async () => {
    const replies = await raw("x".repeat(MAX_REQUEST_BYTES + 10));
    expect(replies.map((l) => JSON.parse(l))).toEqual([
      { err: `error: the request is longer than ${MAX_REQUEST_BYTES} bytes` },
      { exit: 2 },
    ]);
  });

  it("drops a client that sends nothing within the idle timeout", async () => {
    const started = performance.now();
    const replies = await raw("");
    expect(replies.map((l) => JSON.parse(l))).toEqual([
      { err: "error: no complete request line in time" },
      { exit: 2 },
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("answers a client that closes its side before the line ends", async () => {
    const replies = await raw('{"command":"user"', { end: true });
    expect(replies.map((l) => JSON.parse(l))).toEqual([
      { err: "error: the connection ended before a complete request line" },
      { exit: 2 },
    ]);
  });

  it("still answers after all of that", async () => {
    expect((await viaSocket(["list"])).attempt).toEqual({ reached: true, exit: 0 });
  });
});

describe("control socket: start and stop", () => {
  it("a second opener on the same DATA_DIR leaves the live socket alone", async () => {
    const second = await openControlSocket({ dataDir, deps: t.deps, logger });
    expect(second).toBeUndefined();
    expect(serverLogs.some((l) => String(l.msg).startsWith("another server answers"))).toBe(true);
    expect((await viaSocket(["list"])).attempt).toEqual({ reached: true, exit: 0 });
  });

  it("replaces a stale socket left by a killed server, tightens a loose directory, and removes the socket at close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bastion-control-stale-"));
    const stalePath = controlSocketPath(dir);
    mkdirSync(controlDirPath(dir), { mode: 0o755 });
    chmodSync(controlDirPath(dir), 0o755);
    // A process that exits without closing its server leaves the socket file behind.
    const child = spawnSync(process.execPath, [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(stalePath)}, () => process.exit(0))`,
    ]);
    expect(child.status).toBe(0);
    expect(statSync(stalePath).isSocket()).toBe(true);
    const noServer = await runThroughServer(
      stalePath,
      { command: "user", args: ["list"] },
      {
        out: () => {},
        err: () => {},
      },
    );
    expect(noServer).toEqual({ reached: false });

    const reopened = await openControlSocket({ dataDir: dir, deps: t.deps, logger });
    expect(reopened).toBeDefined();
    expect(statSync(controlDirPath(dir)).mode & 0o777).toBe(0o700);
    const served = await runThroughServer(
      stalePath,
      { command: "user", args: ["list"] },
      {
        out: () => {},
        err: () => {},
      },
    );
    expect(served).toEqual({ reached: true, exit: 0 });
    // A client still silent at shutdown does not hold the server for its idle timeout.
    const idle = connect(stalePath);
    const idleClosed = new Promise((resolve) => idle.on("close", resolve));
    idle.on("error", () => {});
    await new Promise((resolve) => idle.once("connect", resolve));
    const closing = performance.now();
    await reopened?.close(10_000);
    await idleClosed;
    expect(performance.now() - closing).toBeLessThan(2_000);
    expect(existsSync(stalePath)).toBe(false);
    expect(
      await runThroughServer(
        stalePath,
        { command: "user", args: ["list"] },
        {
          out: () => {},
          err: () => {},
        },
      ),
    ).toEqual({ reached: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a DATA_DIR so long the kernel would bind a cut path elsewhere, and the CLI goes direct", async () => {
    const long = join(dataDir, "d".repeat(120));
    await expect(openControlSocket({ dataDir: long, deps: t.deps, logger })).rejects.toThrow(
      /longer than a Unix socket path may be/,
    );
    expect(existsSync(long)).toBe(false);
    const attempt = await runThroughServer(
      controlSocketPath(long),
      { command: "user", args: [] },
      {
        out: () => {},
        err: () => {},
      },
    );
    expect(attempt).toEqual({ reached: false });
  });

  it("the server starts without it when it cannot open, and its log says why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bastion-control-blocked-"));
    writeFileSync(controlDirPath(dir), "a file where the directory goes");
    const { logger: startLogger, lines } = captureLogger();
    const started = await startControlSocket({ dataDir: dir, deps: t.deps, logger: startLogger });
    expect(started).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: "control socket not opened: `npm run cli -- user ...` needs the server stopped on DuckDB",
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to replace a file that is not a socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bastion-control-file-"));
    mkdirSync(controlDirPath(dir));
    writeFileSync(controlSocketPath(dir), "not a socket");
    await expect(openControlSocket({ dataDir: dir, deps: t.deps, logger })).rejects.toThrow(
      ControlSocketError,
    );
    expect(statSync(controlSocketPath(dir)).isFile()).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
