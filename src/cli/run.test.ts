import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../../test/cli.js";
import { holdDuckDbFile } from "../../test/duckdb-holder.js";

const tmp = mkdtempSync(join(tmpdir(), "bastion-cli-run-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The CLI in this process (the exit-code contract is the same as main.ts's), capturing its output. */
function cli(argv: string[], env: Record<string, string> = {}) {
  return runCliCaptured(argv, {
    cwd: tmp,
    env: { NODE_ENV: "development", DATA_DIR: join(tmp, "data"), ...env },
  });
}

describe("runCli: usage mistakes are named, and exit 2 before anything is opened", () => {
  it.each([
    [["bogus"], 'unknown command "bogus"', "Usage: npm run cli -- <command>"],
    [[], "missing command", "Usage: npm run cli -- <command>"],
    [["toString"], 'unknown command "toString"', "Usage: npm run cli -- <command>"],
    [["__proto__"], 'unknown command "__proto__"', "Usage: npm run cli -- <command>"],
    [["migrate", "bogus"], 'unknown subcommand "migrate bogus"', "Usage: npm run cli -- migrate"],
    [["migrate"], '"migrate" needs a subcommand: status or up', "Usage: npm run cli -- migrate"],
    [
      ["migrate", "status", "now"],
      'unexpected argument "now" after "migrate status"',
      "Usage: npm run cli -- migrate",
    ],
    [["migrate", "STATUS"], 'unknown subcommand "migrate STATUS"', "Usage: npm run cli -- migrate"],
  ])("%j: %s", async (argv, problem, usageLine) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      new RegExp(`^error: ${literal(problem)}\\n\\n${literal(usageLine)}`),
    );
    // Nothing was opened: no data directory, no database file, no generated secret.
    expect(existsSync(join(tmp, "data"))).toBe(false);
  });

  it("lists each command's subcommands in the usage", async () => {
    const { stderr } = await cli(["bogus"]);
    expect(stderr).toContain("migrate status");
    expect(stderr).toContain("migrate up");
  });

  it("shows a hostile argument escaped and cut, so it cannot forge a line", async () => {
    const result = await cli([`x\nerror: all good\u202e${"y".repeat(200)}`]);
    expect(result.code).toBe(2);
    const [first, second] = result.stderr.split("\n");
    // Cut at 80 characters of the value: 18 before the y's, so 62 of them.
    expect(first).toBe(`error: unknown command "x\\nerror: all good\\u202e${"y".repeat(62)}…"`);
    expect(second).toBe("");
  });
});

describe("runCli: --help", () => {
  it.each([[["--help"]], [["-h"]], [["help"]]])(
    "%j prints the CLI's usage on stdout and exits 0",
    async (argv) => {
      const result = await cli(argv);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toMatch(/^Usage: npm run cli -- <command>\n\nCommands:\n/);
    },
  );

  it.each([[["migrate", "--help"]], [["migrate", "status", "-h"]]])(
    "%j prints the command's usage and exits 0 without running it",
    async (argv) => {
      const result = await cli(argv);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toMatch(
        /^Usage: npm run cli -- migrate <status\|up>\n\n {2}migrate status/,
      );
    },
  );

  it("an unknown command with --help is still an unknown command", async () => {
    const result = await cli(["bogus", "--help"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown command "bogus"/);
  });
});

describe("runCli: failures an operator can act on exit 1 with words, not a stack", () => {
  // The held file under DATA_DIR, named relative to it, is tested through the real process in
  // commands/migrate.test.ts; here the other naming and the other subcommand.
  it("migrate up on a held file outside the working directory names it by its absolute path", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "bastion-held-"));
    const file = join(elsewhere, "x.duckdb");
    const held = await holdDuckDbFile(file);
    try {
      const result = await cli(["migrate", "up"], { DATABASE_URL: `duckdb:${file}` });
      expect(result.code).toBe(1);
      expect(result.stderr.split("\n")[0]).toBe(
        `error: the database file ${file} is in use by another process (PID ${held.pid}: is the server running? stop it, then run this command again)`,
      );
    } finally {
      await held.release();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("reports every configuration problem at once", async () => {
    const result = await cli(["migrate", "status"], { PORT: "abc", SECRET_KEY: "short" });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: Invalid configuration:\n  - PORT: must be a whole number\n  - SECRET_KEY: must be at least 32 characters",
    );
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("runCli: routes", () => {
  it("prints every route with its guards, rate limits and CSRF exemption, without opening the database", async () => {
    const result = await cli(["routes"], { DATABASE_URL: "postgres://127.0.0.1:1/never-opened" });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^METHOD +PATH +GUARDS +RATE LIMITS +CSRF$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^POST +\/account\/email +user, sudo +verify_resend$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^POST +\/csp-report +- +csp_report +exempt$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^GET +\/dev\/mail +dev-only +-$/));
  });

  it("an unknown flag is a usage error", async () => {
    const result = await cli(["routes", "--json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unexpected argument "--json" after "routes"');
  });
});
