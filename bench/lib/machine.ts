/** What the results file says about where and on what the numbers were taken. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { ROOT } from "./app.js";

export function gitSha(): { short: string; dirty: boolean } {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  try {
    return {
      short: git("rev-parse", "--short", "HEAD"),
      dirty: git("status", "--porcelain", "--", "src", "bench") !== "",
    };
  } catch {
    return { short: "nogit", dirty: false };
  }
}

function installedVersion(dir: string, name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8"));
    return String(pkg.version);
  } catch {
    return "not installed";
  }
}

export function versions(): [string, string][] {
  const express = join(ROOT, "bench", "peers", "express");
  return [
    ["node", process.version],
    ...["hono", "@hono/node-server", "@node-rs/argon2", "@duckdb/node-api", "pg", "autocannon"].map(
      (name): [string, string] => [name, installedVersion(ROOT, name)],
    ),
    ...["express", "helmet", "express-session", "csrf-sync", "express-rate-limit"].map(
      (name): [string, string] => [`${name} (peer)`, installedVersion(express, name)],
    ),
  ];
}

export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? "unknown cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`;
}

export const loadAverage = (): string =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" / ");
