/** Command-line options of `npm run bench` (see bench/README.md). */
export const SCENARIO_NAMES = [
  "throughput",
  "login",
  "flood",
  "sessions",
  "signups",
  "startup",
  "scaling",
  "monitoring",
  "instances",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  only: readonly ScenarioName[];
  /** Shorter rounds and fewer requests: a smoke run while iterating, not numbers to quote. */
  quick: boolean;
  /** Writes bench/results/<date>-<sha>.md (off with --no-write). */
  write: boolean;
  /** Server for the PostgreSQL rows; a fresh database is created per use. */
  postgresUrl: string;
}

const USAGE = `usage: npm run bench -- [--only ${SCENARIO_NAMES.join(",")}] [--quick] [--no-write] [--pg postgres://user@host:port]`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    only: SCENARIO_NAMES,
    quick: false,
    write: true,
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") options.quick = true;
    else if (arg === "--no-write") options.write = false;
    else if (arg === "--only") options.only = parseOnly(argv[++i]);
    else if (arg?.startsWith("--only=")) options.only = parseOnly(arg.slice(7));
    else if (arg === "--pg") options.postgresUrl = argv[++i] ?? options.postgresUrl;
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return options;
}

function parseOnly(value: string | undefined): ScenarioName[] {
  const names = (value ?? "").split(",").filter(Boolean);
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only: unknown scenario ${unknown.join(", ") || "(none)"}\n${USAGE}`);
  }
  return names as ScenarioName[];
}
