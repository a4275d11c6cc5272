/**
 * Where the CPU went during a measurement, from /proc: user + system time of
 * chosen processes (their threads included), grouped by role. On one machine
 * the load generator, the proxy, the databases and the instances share the
 * cores, so requests per second alone cannot say what more cores would buy;
 * CPU milliseconds per request per role can.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** Which role a process plays, or undefined to leave it out. */
export type Classify = (
  pid: number,
  comm: string,
  cmdline: string,
  ppid: number,
) => string | undefined;

/** CPU seconds per role so far. */
export function cpuByRole(classify: Classify): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue; // exited while we looked
    }
    // comm is in parentheses and may hold spaces; the fields after it are fixed.
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    const ppid = Number(fields[1]);
    const role = classify(pid, comm, cmdline, ppid);
    if (role === undefined) continue;
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    out.set(role, (out.get(role) ?? 0) + seconds);
  }
  return out;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** The difference of two readings, per role. */
export function delta(
  after: Map<string, number>,
  before: Map<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [role, seconds] of after) out.set(role, seconds - (before.get(role) ?? 0));
  return out;
}
