import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openFormOverHttp } from "../../../test/forms.js";
import { type MainProcess, startMain, waitForAnswer } from "../../../test/main-process.js";
import { freePort } from "../../../test/net.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const PASSWORD = "correct horse battery staple";

/** The real CLI entry point (`npm run cli -- ...` without npm), with stdin piped in. */
function cliProcess(
  args: string[],
  env: Record<string, string>,
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    child.stdin.end(stdin);
    child.on("exit", (code) => done({ code, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() }));
  });
}

/**
 * Both paths of `npm run cli -- user ...` on a DuckDB file, with the real
 * processes: while the server runs it holds the file, so the CLI must go
 * through the server's control socket; once the server stops, the CLI opens
 * the file itself. One server start for the whole file.
 */
describe("user CLI beside the real server on DuckDB", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "bastion-cli-socket-"));
  let server: MainProcess | undefined;
  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("goes through the control socket while the server runs, and opens the file once it stopped", async () => {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir, APP_URL: appUrl, LOG_FORMAT: "json" };
    server = startMain(env);
    await waitForAnswer(`${appUrl}/healthz`);
    const socketPath = join(dataDir, "run", "control.sock");
    // Opened right after the listening line: wait for it rather than race it.
    for (let i = 0; i < 100 && !existsSync(socketPath); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(statSync(join(dataDir, "run")).mode & 0o777).toBe(0o700);
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);

    const created = await cliProcess(
      [
        "user",
        "create",
        "--email",
        "root@example.com",
        "--first-name",
        "Ada",
        "--admin",
        "--password-stdin",
      ],
      env,
      `${PASSWORD}\n`,
    );
    expect(created, created.stderr).toMatchObject({
      code: 0,
      stdout: "The account root@example.com was created (admin).",
    });
    const listed = await cliProcess(["user", "list", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      total: 1,
      users: [{ email: "root@example.com", role: "admin", status: "active" }],
    });
    // The server ran them (its log says so), on its own file: the new admin signs in over HTTP.
    const ran = server
      .output()
      .split("\n")
      .filter((line) => line.includes("control socket: command ran"));
    expect(ran).toHaveLength(2);
    const { cookie, token } = await openFormOverHttp(`${appUrl}/auth/login`);
    const signIn = await fetch(`${appUrl}/auth/login`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: cookie,
        Origin: appUrl,
      },
      body: new URLSearchParams({ _csrf: token, email: "root@example.com", password: PASSWORD }),
    });
    expect(signIn.status).toBe(303);
    const session = signIn.headers
      .getSetCookie()
      .map((line) => line.split(";")[0])
      .join("; ");
    const admin = await fetch(`${appUrl}/admin`, {
      headers: { Cookie: session },
      redirect: "manual",
    });
    expect(admin.status).toBe(200);

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(existsSync(socketPath)).toBe(false);

    // No server: the CLI opens the DuckDB file itself and sees the same account.
    const direct = await cliProcess(["user", "show", "root@example.com", "--json"], env);
    expect(direct.code, direct.stderr).toBe(0);
    expect(JSON.parse(direct.stdout)).toMatchObject({ email: "root@example.com", role: "admin" });
    const demoted = await cliProcess(["user", "demote", "root@example.com"], env);
    expect(demoted.code).toBe(1);
    expect(demoted.stderr).toMatch(/^error: .*admin/i);
  });
});
