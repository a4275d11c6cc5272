import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";

/**
 * scripts/launch.js, behind `npm start` and `npm run cli`: the TypeScript through tsx in a
 * checkout, dist/ on plain Node in production. The real production install is
 * test/ops/production-install.test.ts; here a scratch package with tiny dist/ entries shows the
 * choices and the messages, and the checkout itself shows that development still starts.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const LAUNCHER = join(ROOT, "scripts", "launch.js");
const exec = promisify(execFile);
const children: ChildProcess[] = [];
const dirs: string[] = [];
const baseEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() };

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A package with the launcher and the given files; no node_modules, so no tsx. */
function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "bastion-launch-"));
  dirs.push(dir);
  cpSync(LAUNCHER, join(dir, "scripts", "launch.js"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

/** Runs the launcher; resolves with the exit code and both streams, whatever the code. */
async function launch(dir: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["scripts/launch.js", ...args], {
      cwd: dir,
      env: { ...baseEnv, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const PRINT_ARGS = "console.log(JSON.stringify(process.argv.slice(2)));\n";

describe("the launcher", () => {
  it("runs dist/ in production, handing the entry only its own arguments", async () => {
    const dir = scratch({ "dist/main.js": PRINT_ARGS, "dist/cli/main.js": PRINT_ARGS });
    const cli = await launch(dir, ["cli", "migrate", "up", "--help"], { NODE_ENV: "production" });
    expect(cli).toEqual({ code: 0, stdout: '["migrate","up","--help"]\n', stderr: "" });
    const main = await launch(dir, ["main"], { NODE_ENV: "production" });
    expect(main).toEqual({ code: 0, stdout: "[]\n", stderr: "" });
  });

  it("runs dist/ without NODE_ENV too when tsx is not installed (dev dependencies omitted)", async () => {
    const dir = scratch({ "dist/main.js": 'console.log("compiled");\n', "src/main.ts": "" });
    utimesSync(join(dir, "src/main.ts"), 1_000, 1_000);
    expect(await launch(dir, ["main"])).toEqual({ code: 0, stdout: "compiled\n", stderr: "" });
  });

  it("stops with a message naming npm run build when dist/ is missing", async () => {
    const dir = scratch({ "src/main.ts": "" });
    for (const env of [{ NODE_ENV: "production" }, {}] as Array<Record<string, string>>) {
      const result = await launch(dir, ["main"], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("dist/main.js is missing: run `npm run build` first");
    }
  });

  it("warns when src/ changed after the build, but not for a test file", async () => {
    const dir = scratch({
      "dist/main.js": 'console.log("compiled");\n',
      "src/main.ts": "",
      "src/lib/clock.test.ts": "",
    });
    const built = Date.now() / 1000;
    utimesSync(join(dir, "dist/main.js"), built, built);
    utimesSync(join(dir, "src/main.ts"), built - 60, built - 60);
    utimesSync(join(dir, "src/lib/clock.test.ts"), built + 60, built + 60);
    const fresh = await launch(dir, ["main"], { NODE_ENV: "production" });
    expect(fresh).toEqual({ code: 0, stdout: "compiled\n", stderr: "" });

    utimesSync(join(dir, "src/main.ts"), built + 60, built + 60);
    const stale = await launch(dir, ["main"], { NODE_ENV: "production" });
    expect(stale.code).toBe(0);
    expect(stale.stdout).toBe("compiled\n");
    expect(stale.stderr).toContain(
      "src/main.ts changed after dist/ was built; run `npm run build`",
    );
  });

  it("answers a usage line and exit 2 for an unknown or missing target", async () => {
    const dir = scratch({ "dist/main.js": "" });
    for (const args of [["server"], [], ["../main"], ["__proto__"], ["mäin"]]) {
      const result = await launch(dir, args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("usage: node scripts/launch.js main|cli [arguments]");
    }
  });

  it("starts the development server from the checkout through tsx, in its own process", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-launch-dev-"));
    dirs.push(dataDir);
    const port = await freePort();
    const child = spawn(process.execPath, [LAUNCHER, "main"], {
      cwd: ROOT,
      env: { ...baseEnv, PORT: String(port), DATA_DIR: dataDir, LOG_FORMAT: "json" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (d) => {
      output += String(d);
    });
    child.stderr?.on("data", (d) => {
      output += String(d);
    });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    await waitForAnswer(`http://127.0.0.1:${port}/healthz`);
    expect(output).toContain('"env":"development"');
    // No wrapper process in between: a signal (or a test's SIGKILL) reaches the server itself.
    expect(output).toContain(`"pid":${child.pid},`);
    child.kill("SIGTERM");
    expect(await exited, output).toBe(0);
  });
});
