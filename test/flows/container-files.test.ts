import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { envSchema } from "../../src/config/schema.js";
import {
  copyArgs,
  type Dockerfile,
  envPairs,
  execForm,
  healthcheckArgs,
  type Instruction,
  parseDockerfile,
  type Stage,
} from "../dockerfile.js";
import { createTestApp, type TestApp } from "../harness.js";

/**
 * The container files, checked without a container engine (none runs where the tests do):
 * a variable the image or compose sets that the configuration does not know would be
 * ignored in silence, a HEALTHCHECK on a path that does not exist would mark every
 * container unhealthy, and an image that ran as root would hand a code-execution bug the
 * whole container. That the image's files and production dependencies really start the
 * server is test/ops/production-install.test.ts (npm run test:ops).
 */

const ROOT = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const SCHEMA_KEYS = new Set(Object.keys(envSchema.shape));

const dockerfile: Dockerfile = parseDockerfile(read("Dockerfile"));
const runtime = dockerfile.stages.at(-1) as Stage;
const compose = parseYaml(read("compose.yaml"), { merge: true }) as Compose;

interface ComposeService {
  build?: string;
  image?: string;
  command?: string[];
  env_file?: string | string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  user?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
}

const all = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);

function only(stage: Stage, keyword: string): Instruction {
  const found = all(stage, keyword);
  expect(found, `one ${keyword} in the runtime stage`).toHaveLength(1);
  return found[0] as Instruction;
}

/** Services run from our own image (the app and the migrate one-shot). */
const ourServices = Object.entries(compose.services).filter(([, s]) => s.build === ".");

/** The runtime image's CMD, e.g. ["node", "dist/main.js"]. */
const cmd = execForm(only(runtime, "CMD").args) ?? [];

/** Lines of the ```sh blocks of one README section, comments and leading VAR=value dropped. */
function documentedCommands(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `README section "${heading}"`).toBeGreaterThan(-1);
  const end = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  const commands: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? "").split("\n")) {
      const words = line
        .replace(/\s#.*$/, "")
        .trim()
        .split(/\s+/);
      while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? "")) words.shift();
      if (words.join("") !== "") commands.push(words.join(" "));
    }
  }
  return commands;
}

describe("Dockerfile", () => {
  it("builds in one stage and ships a runtime stage on the Node major CI tests", () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(["build", "runtime"]);
    const nodeVersion = dockerfile.globalArgs.get("NODE_VERSION") ?? "";
    for (const stage of dockerfile.stages) {
      // The ARG is substituted by Docker: both stages share one Node version.
      expect(stage.image).toBe(["node:$", "{NODE_VERSION}-bookworm-slim"].join(""));
    }
    // CI's setup-node major, and a version package.json's engines accept.
    const ci = read(".github/workflows/ci.yml");
    const ciMajor = /node-version:\s*(\d+)/.exec(ci)?.[1];
    expect(nodeVersion.split(".")[0]).toBe(ciMajor);
    const engines = JSON.parse(read("package.json")).engines.node as string;
    const [wantMajor = 0, wantMinor = 0] = (/>=\s*(\d+)\.(\d+)/.exec(engines) ?? [])
      .slice(1)
      .map(Number);
    const [major = 0, minor = 0] = nodeVersion.split(".").map(Number);
    expect(major > wantMajor || (major === wantMajor && minor >= wantMinor)).toBe(true);

    const build = dockerfile.stages[0] as Stage;
    expect(all(build, "RUN").map((r) => r.args)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^npm ci\b/), "npm run build"]),
    );
    const installs = all(runtime, "RUN").filter((r) => r.args.includes("npm ci"));
    expect(installs).toHaveLength(1);
    expect(installs[0]?.args).toMatch(/^npm ci --omit=dev\b/);
    expect(all(runtime, "COPY").map((c) => copyArgs(c.args))).toContainEqual({
      from: "build",
      sources: ["/app/dist"],
      destination: "./dist",
    });
  });

  it("sets only variables the configuration knows, and production", () => {
    const env = all(runtime, "ENV").flatMap((i) => envPairs(i.args));
    expect(env.length).toBeGreaterThan(0);
    for (const [key] of env) expect(SCHEMA_KEYS, `ENV ${key}`).toContain(key);
    expect(Object.fromEntries(env)).toMatchObject({ NODE_ENV: "production" });
  });

  it("runs as a non-root user, with data/ its only writable place and a volume", () => {
    const users = all(runtime, "USER");
    const user = users.at(-1)?.args ?? "";
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user).not.toBe("");
    // The USER comes after every RUN: nothing after it runs as root.
    const lastRun = all(runtime, "RUN").at(-1)?.line ?? 0;
    expect(users.at(-1)?.line).toBeGreaterThan(lastRun);

    const env = Object.fromEntries(all(runtime, "ENV").flatMap((i) => envPairs(i.args)));
    const volume = execForm(only(runtime, "VOLUME").args);
    expect(volume).toEqual([env.DATA_DIR]);
    expect(all(runtime, "RUN").map((r) => r.args)).toContain(
      `mkdir -p ${env.DATA_DIR} && chown node:node ${env.DATA_DIR}`,
    );
  });

  it("exposes the default port", () => {
    const port = envSchema.shape.PORT.parse(undefined);
    expect(only(runtime, "EXPOSE").args).toBe(String(port));
  });

  it("starts with the command the README documents for production", () => {
    expect(cmd).toEqual(["node", "dist/main.js"]);
    expect(documentedCommands(read("README.md"), "Running in production")).toContain(cmd.join(" "));
    // The systemd unit in docs/deployment.md runs the same, by absolute path to node.
    const execStart = /^ExecStart=(\S+) (.+)$/m.exec(read("docs/deployment.md"));
    expect(execStart?.[1]).toMatch(/\/node$/);
    expect(`node ${execStart?.[2]}`).toBe(cmd.join(" "));
  });

  it("copies the files read at run time, and .dockerignore lets exactly those through", () => {
    const ignore = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    // An allow-list: everything is excluded first, so nothing unlisted (.env, data/) is sent.
    expect(ignore[0]).toBe("*");
    const allowed = new Set(ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1)));
    const copied = dockerfile.stages.flatMap((stage) =>
      all(stage, "COPY")
        .map((c) => copyArgs(c.args))
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources),
    );
    expect(new Set(copied)).toEqual(allowed);
    // What the server and the CLI read from disk relative to dist/ (app.ts, db/migrate.ts,
    // docs/routes.tsx), and the launcher `npm start` runs.
    const runtimeCopies = all(runtime, "COPY").flatMap((c) => copyArgs(c.args).sources);
    for (const needed of ["migrations", "static", "docs", "README.md", "scripts/launch.js"]) {
      expect(runtimeCopies).toContain(needed);
    }
  });

  it("installs no production package with an install script, so --ignore-scripts is safe", () => {
    const lock = JSON.parse(read("package-lock.json")) as {
      packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
    };
    const scripted = Object.entries(lock.packages)
      .filter(([name, p]) => name !== "" && !p.dev && p.hasInstallScript)
      .map(([name]) => name);
    expect(scripted).toEqual([]);
    for (const run of all(runtime, "RUN").filter((r) => r.args.includes("npm ci"))) {
      expect(run.args).toContain("--ignore-scripts");
    }
  });

  it("keeps build tools out of the production dependencies", () => {
    const pkg = JSON.parse(read("package.json")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const tool of ["tsx", "typescript", "vitest", "@biomejs/biome", "yaml"]) {
      expect(Object.keys(pkg.dependencies)).not.toContain(tool);
      expect(Object.keys(pkg.devDependencies)).toContain(tool);
    }
    // Exact versions: the image installs what CI tested, to the patch.
    for (const version of [
      ...Object.values(pkg.dependencies),
      ...Object.values(pkg.devDependencies),
    ]) {
      expect(version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    }
  });
});

describe("HEALTHCHECK", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it("asks a path the app answers 200, with Node's fetch (the slim image has no curl)", async () => {
    const { options, command } = healthcheckArgs(only(runtime, "HEALTHCHECK").args);
    expect(command.slice(0, 2)).toEqual(["node", "-e"]);
    const script = command[2] ?? "";
    const path = /'(\/[a-z]+)'/.exec(script)?.[1];
    expect(path).toBe("/healthz");
    const res = await app.app.request(path ?? "");
    expect(res.status).toBe(200);
    // Every option is a duration, and the start period covers migrations applied at start.
    for (const name of ["interval", "timeout", "start-period"]) {
      expect(options.get(name)).toMatch(/^\d+s$/);
    }
  });
});

describe("compose.yaml", () => {
  it("runs the app and a migrate one-shot from our image, after PostgreSQL and Redis are healthy", () => {
    const { app, migrate, postgres, redis } = compose.services;
    expect(app?.build).toBe(".");
    expect(migrate?.build).toBe(".");
    expect(postgres?.healthcheck?.test[0]).toBe("CMD");
    expect(redis?.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(app?.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
      migrate: { condition: "service_completed_successfully" },
    });
    expect(migrate?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    // The CLI's migrate command, compiled: the production install has no tsx.
    expect(migrate?.command).toEqual(["node", "dist/cli/main.js", "migrate", "up"]);
    // The app runs the image's CMD, not a command of its own.
    expect(app?.command).toBeUndefined();
    // Published on loopback only: the reverse proxy on the host is the way in.
    expect(app?.ports).toEqual(["127.0.0.1:8000:8000"]);
    expect(postgres?.ports).toBeUndefined();
    expect(redis?.ports).toBeUndefined();
  });

  it("sets only variables the configuration knows, and reads secrets from a git-ignored env file", () => {
    expect(ourServices.map(([name]) => name).sort()).toEqual(["app", "migrate"]);
    const gitignore = read(".gitignore").split("\n");
    for (const [name, service] of ourServices) {
      for (const key of Object.keys(service.environment ?? {})) {
        expect(SCHEMA_KEYS, `${name}: ${key}`).toContain(key);
      }
      expect(service.env_file).toBe(".env.production");
      expect(gitignore).toContain(".env.production");
    }
    const example = parseDotenv(read(".env.production.example"));
    for (const key of Object.keys(example)) {
      expect(SCHEMA_KEYS, `.env.production.example: ${key}`).toContain(key);
    }
  });

  it("refuses an unset database password instead of starting PostgreSQL without one", () => {
    // Values only: compose does not interpolate comments.
    const text = read("compose.yaml")
      .split("\n")
      .filter((line) => !line.trim().startsWith("#"))
      .join("\n");
    const uses = [...text.matchAll(/\$\{POSTGRES_PASSWORD([^}]*)\}/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThanOrEqual(2);
    for (const rest of uses) expect(rest).toMatch(/^:\?/);
  });

  it("makes a valid production configuration once the example's secrets are filled in", () => {
    const example = parseDotenv(read(".env.production.example"));
    const service = compose.services.app as ComposeService;
    const environment = Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([k, v]) => [
        k,
        v.replace(/\$\{POSTGRES_PASSWORD:\?[^}]*\}/, "0123abcd"),
      ]),
    );
    const env = { ...example, ...environment };
    // As copied, the placeholder secret is refused: an unedited file cannot reach production.
    expect(() => loadConfig({ env, dotenv: false, cwd: ROOT })).toThrow(ConfigError);
    expect(() => loadConfig({ env, dotenv: false, cwd: ROOT })).toThrow(/SECRET_KEY/);
    const config = loadConfig({
      env: { ...env, SECRET_KEY: randomBytes(36).toString("base64url") },
      dotenv: false,
      cwd: ROOT,
    });
    expect(config.isProduction).toBe(true);
    expect(config.database.target).toEqual({
      kind: "postgres",
      url: "postgres://bastion:0123abcd@postgres:5432/bastion",
    });
    expect(config.redisUrl).toBe("redis://redis:6379");
    expect(config.security.trustProxy).toEqual({ kind: "hops", hops: 1 });
  });
});
