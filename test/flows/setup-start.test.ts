import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openFormOverHttp } from "../forms.js";
import { startMain as spawnMain, waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function startMain(env: Record<string, string>) {
  const run = spawnMain(env);
  children.push(run.child);
  return run;
}

/** The start log's lines carrying the setup link, parsed (LOG_FORMAT=json). */
function setupLines(output: string): Array<Record<string, unknown>> {
  return output
    .split("\n")
    .filter((line) => line.includes("/setup?token="))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls the growing log until the setup line shows up (it follows the "listening" line). */
async function waitForLine(output: () => string, pattern: RegExp): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!pattern.test(output())) {
    if (performance.now() > deadline) throw new Error(`no line matching ${pattern}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("first-run setup through the real entry point", () => {
  it("logs the link once at start; the link makes the admin; the next start logs nothing", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-setup-"));
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir, APP_URL: appUrl };

    const first = startMain(env);
    await waitForAnswer(`${appUrl}/healthz`);
    await waitForLine(first.output, /\/setup\?token=/);
    const lines = setupLines(first.output());
    expect(lines).toHaveLength(1);
    const link = String(lines[0]?.setupUrl);
    expect(link).toMatch(new RegExp(`^${appUrl}/setup\\?token=[A-Za-z0-9_-]{43}$`));
    expect(lines[0]).toMatchObject({ level: 40 });
    expect(String(lines[0]?.msg)).toContain(link);
    expect(String(lines[0]?.msg)).toContain("user create --admin");

    const { cookie, token: csrf } = await openFormOverHttp(link);
    const token = new URL(link).searchParams.get("token") ?? "";
    const created = await fetch(`${appUrl}/setup`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: cookie,
        Origin: appUrl,
      },
      body: new URLSearchParams({
        _csrf: csrf,
        token,
        email: "root@example.com",
        first_name: "Ada",
        last_name: "",
        password: "correct horse battery staple",
      }).toString(),
    });
    expect(created.status).toBe(303);
    expect(created.headers.get("Location")).toBe("/admin/users");
    expect((await fetch(link)).status).toBe(404);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    // An admin exists now: the next start offers no link, and the old one stays dead.
    const second = startMain(env);
    await waitForAnswer(`${appUrl}/healthz`);
    await waitForLine(second.output, /listening on/);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(setupLines(second.output())).toEqual([]);
    expect(second.output()).not.toContain("No admin account yet");
  }, 120_000); // two processes start here; the budget is a hang guard
});
