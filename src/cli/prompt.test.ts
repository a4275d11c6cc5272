import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const PASSWORD = "correct horse battery staple";

/**
 * `user create` at a real terminal (a pseudo-terminal from util-linux
 * `script`): the password is asked twice and never echoed, so it is neither
 * on the screen nor in the scrollback; it is never on the command line.
 */
describe("user create asks for the password at a terminal without echo", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "bastion-cli-prompt-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Runs the CLI under a terminal and types each answer once its prompt shows. */
  function atTerminal(args: string[], answers: Array<{ after: string; type: string }>) {
    const command = [process.execPath, "--import", "tsx", "src/cli/main.ts", ...args]
      .map((part) => `'${part}'`)
      .join(" ");
    const child = spawn("script", ["-qefc", command, "/dev/null"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        NODE_ENV: "test",
        DATA_DIR: dataDir,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    let from = 0;
    let next = 0;
    // Each answer goes in once its own prompt shows: typed earlier, the terminal would still echo it.
    const onOutput = (d: Buffer) => {
      screen += String(d);
      const answer = answers[next];
      if (answer === undefined) return;
      const at = screen.indexOf(answer.after, from);
      if (at === -1) return;
      from = at + answer.after.length;
      next++;
      child.stdin.write(answer.type);
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    return new Promise<{ code: number | null; screen: string }>((done) =>
      child.on("exit", (code) => done({ code, screen })),
    );
  }

  it("creates the account from two matching answers, showing neither", async () => {
    const result = await atTerminal(
      ["user", "create", "--email", "tty@example.com", "--first-name", "Ada"],
      [
        { after: "Password for tty@example.com: ", type: `${PASSWORD}\r` },
        { after: "The same password again: ", type: `${PASSWORD}\r` },
      ],
    );
    expect(result.screen).toContain("The account tty@example.com was created (user).");
    expect(result.code).toBe(0);
    expect(result.screen).not.toContain("horse");
  });

  it("creates nothing when the answers differ, or when Ctrl-C is pressed", async () => {
    const differ = await atTerminal(
      ["user", "create", "--email", "differ@example.com", "--first-name", "Ada"],
      [
        { after: "Password for differ@example.com: ", type: `${PASSWORD}\r` },
        { after: "The same password again: ", type: "something else entirely\r" },
      ],
    );
    expect(differ.code).toBe(1);
    expect(differ.screen).toContain("error: the two passwords differ; nothing was created");
    expect(differ.screen).not.toContain("entirely");

    const cancelled = await atTerminal(
      ["user", "create", "--email", "cancel@example.com", "--first-name", "Ada"],
      [{ after: "Password for cancel@example.com: ", type: "half\u0003" }],
    );
    expect(cancelled.code).toBe(1);
    expect(cancelled.screen).toContain("error: cancelled");
  });
});
