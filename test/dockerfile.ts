/**
 * Just enough of the Dockerfile syntax to check ours without a container engine:
 * instructions with their line continuations joined and comments dropped, split into
 * stages, plus the argument shapes we use (exec form, KEY=value, COPY flags).
 */

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, ... */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line of the instruction's first line. */
  line: number;
}

export interface Stage {
  /** The image, as written (ARG references left in). */
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const trimmed = raw.trim();
    // Comment lines are dropped even inside a continued instruction, as BuildKit does.
    if (trimmed.startsWith("#")) return;
    if (pending === undefined && trimmed === "") return;
    const continues = trimmed.endsWith("\\");
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed;
    pending ??= { parts: [], line: index + 1 };
    if (part !== "") pending.parts.push(part);
    if (continues) return;
    const joined = pending.parts.join(" ");
    const space = joined.search(/\s/);
    instructions.push({
      keyword: (space === -1 ? joined : joined.slice(0, space)).toUpperCase(),
      args: space === -1 ? "" : joined.slice(space + 1).trim(),
      line: pending.line,
    });
    pending = undefined;
  });

  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/);
      stages.push({
        image,
        name: as?.toUpperCase() === "AS" ? name : undefined,
        instructions: [],
      });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [key = "", value = ""] = instruction.args.split("=");
      globalArgs.set(key, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** `["node", "dist/main.js"]` -> the array; shell form -> undefined. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string")) return undefined;
  return parsed;
}

/** ENV KEY=value [KEY=value ...] (values unquoted or double-quoted), or legacy ENV KEY value. */
export function envPairs(args: string): Array<[string, string]> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const space = args.search(/\s/);
    return [[args.slice(0, space), args.slice(space + 1).trim()]];
  }
  const pairs: Array<[string, string]> = [];
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const value = match[2] ?? "";
    pairs.push([match[1] ?? "", value.startsWith('"') ? JSON.parse(value) : value]);
  }
  return pairs;
}

export interface Copy {
  /** --from=<stage>, when the files come from another stage rather than the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function copyArgs(args: string): Copy {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith("--")) {
    const flag = words.shift() ?? "";
    if (flag.startsWith("--from=")) from = flag.slice("--from=".length);
  }
  const destination = words.pop() ?? "";
  return { from, sources: words, destination };
}

/** HEALTHCHECK [--option=value ...] CMD <command>: the options and the command in exec form. */
export function healthcheckArgs(args: string): { options: Map<string, string>; command: string[] } {
  const options = new Map<string, string>();
  let rest = args;
  for (
    let match = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
    match;
    match = /^--([a-z-]+)=(\S+)\s+/.exec(rest)
  ) {
    options.set(match[1] ?? "", match[2] ?? "");
    rest = rest.slice(match[0].length);
  }
  if (!rest.startsWith("CMD ")) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  const command = execForm(rest.slice(4).trim());
  if (command === undefined) throw new Error(`HEALTHCHECK CMD is not in exec form: ${args}`);
  return { options, command };
}
