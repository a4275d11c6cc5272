import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { copyArgs, envPairs, execForm, healthcheckArgs, parseDockerfile } from "../dockerfile.js";
import { waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";

/**
 * What the image does, without a container engine: build dist/ fresh, lay out the files
 * the Dockerfile's runtime stage copies in a temporary directory, install the production
 * dependencies with `npm ci --omit=dev` from the local cache, then run compose's migrate
 * one-shot, the image's CMD, its HEALTHCHECK and `npm start`, all with NODE_ENV=production.
 * A runtime import of a dev dependency (tsx, a type-only package used for real), a file
 * read from disk that the image does not ship, or a path resolved from the source tree
 * instead of dist/ fails here rather than in the first deployment.
 *
 * Slow by nature (a tsc build and an npm install, about 30 s on the 2-core machine): the
 * timeouts below are hang guards, not speed requirements.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const dockerfile = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const runtime = dockerfile.stages.at(-1);
const compose = parseYaml(readFileSync(join(ROOT, "compose.yaml"), "utf8"), { merge: true }) as {
  services: Record<string, { command?: string[] }>;
};

const children: ChildProcess[] = [];
/** Servers npm started: npm's SIGKILL would not reach them. */
const serverPids: number[] = [];
let dir: string;
let env: Record<string, string>;
/** NPM_CONFIG_* and friends from `npm test` would leak into the install: start clean. */
const baseEnv = () => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() });

/** Runs the image's command from dir; "node" is this Node, as in the image. */
function start(command: string[], extraEnv: Record<string, string> = {}) {
  const [file = "", ...args] = command;
  const child = spawn(file === "node" ? process.execPath : file, args, {
    cwd: dir,
    env: { ...env, ...extraEnv },
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
  return { child, exited, output: () => output };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bastion-production-"));
  // dist/ built fresh into the copy, never the checkout's dist/ (another build may be using it).
  await run("npm", ["run", "build", "--", "--outDir", join(dir, "dist")], {
    cwd: ROOT,
    env: baseEnv(),
  }).catch((error: { stdout?: string; message: string }) => {
    // tsc reports type errors on stdout, which the rejection's message leaves out.
    throw new Error(`npm run build failed:\n${error.stdout ?? ""}\n${error.message}`);
  });
  // The runtime stage's COPY lines, exactly: a file it forgets is missing here too.
  expect(runtime).toBeDefined();
  for (const copy of (runtime?.instructions ?? []).filter((i) => i.keyword === "COPY")) {
    const { from, sources, destination } = copyArgs(copy.args);
    if (from !== undefined) continue; // dist/, built above
    for (const source of sources) {
      const target = destination.endsWith("/") ? join(dir, source) : join(dir, destination);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(ROOT, source), target, { recursive: true });
    }
  }
  // The image's install, from the local cache when it has everything (it does after `npm ci`).
  const install = (runtime?.instructions ?? []).find((i) => /npm ci --omit=dev/.test(i.args));
  const npmCi = (install?.args.split("&&")[0] ?? "").trim().split(/\s+/).slice(1);
  await run("npm", [...npmCi, "--prefer-offline"], { cwd: dir, env: baseEnv() });

  const imageEnv = Object.fromEntries(
    (runtime?.instructions ?? [])
      .filter((i) => i.keyword === "ENV")
      .flatMap((i) => envPairs(i.args)),
  );
  const port = await freePort();
  env = {
    ...baseEnv(),
    ...imageEnv,
    // The image's /app/data is not ours to create here.
    DATA_DIR: join(dir, "data"),
    HOST: "127.0.0.1",
    PORT: String(port),
    SECRET_KEY: randomBytes(36).toString("base64url"),
    APP_URL: "https://bastion.test",
    LOG_FORMAT: "json",
  };
}, 240_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const pid of serverPids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("the production install (npm ci --omit=dev, NODE_ENV=production)", () => {
  it("has no build tools in node_modules", () => {
    for (const tool of ["tsx", "typescript", "vitest", "@biomejs/biome", "esbuild", "yaml"]) {
      expect(existsSync(join(dir, "node_modules", tool)), tool).toBe(false);
    }
    expect(existsSync(join(dir, "node_modules", "hono"))).toBe(true);
    expect(existsSync(join(dir, "src"))).toBe(false);
  });

  it("migrates with compose's one-shot, then serves /healthz, /static and /docs from the image's CMD", async () => {
    const migrate = compose.services.migrate?.command ?? [];
    const migrated = start(migrate);
    expect(await migrated.exited, migrated.output()).toBe(0);
    expect(migrated.output()).toContain("Applied 0001_init");

    const cmd = execForm(runtime?.instructions.find((i) => i.keyword === "CMD")?.args ?? "");
    const server = start(cmd ?? []);
    const base = `http://127.0.0.1:${env.PORT}`;
    const health = await waitForAnswer(`${base}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", db: { writable: true } });
    expect(server.output()).toContain('"env":"production"');
    // Files read from disk relative to dist/: static/ and htmx, docs/ and the README.
    expect((await fetch(`${base}/static/app.css`)).status).toBe(200);
    expect((await fetch(`${base}/static/vendor/htmx.min.js`)).status).toBe(200);
    const docs = await fetch(`${base}/docs/deployment`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("systemd");

    // The image's HEALTHCHECK command, as Docker runs it: exit 0 while the server answers.
    const check = healthcheckArgs(
      runtime?.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "",
    ).command;
    expect(await start(check).exited).toBe(0);

    server.child.kill("SIGTERM");
    expect(await server.exited, server.output()).toBe(0);
    // And exit 1 when nothing answers, so Docker marks the container unhealthy.
    expect(await start(check).exited).toBe(1);
  });

  it("runs dist/ on plain Node through npm start and npm run cli", async () => {
    const status = await run("npm", ["run", "cli", "--", "migrate", "status"], { cwd: dir, env });
    expect(status.stdout).toMatch(/\b0 pending\b/);

    const server = start(["npm", "start"]);
    await waitForAnswer(`http://127.0.0.1:${env.PORT}/healthz`);
    expect(server.output()).toContain('"env":"production"');
    // The launcher imports dist/main.js in its own process: that process is the server.
    const pid = /"pid":(\d+)/.exec(server.output())?.[1];
    serverPids.push(Number(pid));
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(commandLine.slice(1, 3)).toEqual(["scripts/launch.js", "main"]);
    process.kill(Number(pid), "SIGTERM");
    expect(await server.exited, server.output()).toBe(0);
    serverPids.length = 0;
  });
});
