import pino, { type DestinationStream, type Logger } from "pino";
import type { LogTally } from "./log-tally.js";
import { prettyStream } from "./pretty.js";

/**
 * Paths pino replaces with "[redacted]" before a line is written. Cookies,
 * authorization headers, passwords and tokens never reach a log sink, even
 * when a handler logs a whole request or form.
 */
export const REDACT_PATHS = [
  "password",
  "new_password",
  "current_password",
  "token",
  "secret",
  "cookie",
  "authorization",
  "*.password",
  "*.new_password",
  "*.current_password",
  "*.token",
  "*.secret",
  "*.cookie",
  "*.authorization",
  "*.headers.cookie",
  "*.headers.authorization",
  '*.headers["set-cookie"]',
  '*.headers["x-csrf-token"]',
  "*.*.password",
  "*.*.token",
  "*.*.secret",
];

/** LOG_FORMAT: json, pretty, or unset ("auto"): decided by whether a person is reading. */
export type LogFormatSetting = "json" | "pretty" | "auto";

/**
 * Pretty, coloured lines only for a terminal; JSON lines whenever stdout is a
 * pipe or a file (a log shipper, `npm start > app.log`, a container runtime),
 * in every mode, so a redirected log is always machine-readable. An explicit
 * LOG_FORMAT wins; colour still follows the terminal. Decided once, by the
 * composition root, from `process.stdout.isTTY`.
 */
export function chooseLogOutput(
  setting: LogFormatSetting,
  stdoutIsTty: boolean,
): { pretty: boolean; colorize: boolean } {
  const pretty = setting === "pretty" || (setting === "auto" && stdoutIsTty);
  return { pretty, colorize: pretty && stdoutIsTty };
}

export interface LoggerOptions {
  level: string;
  /** One compact line per entry for a terminal (see pretty.ts); JSON lines otherwise. */
  pretty: boolean;
  /** ANSI colours in pretty output; only for a terminal. */
  colorize?: boolean;
  /** Where lines go; defaults to stdout. Tests pass a stream to assert on lines. */
  destination?: DestinationStream;
  /** Counts error and fatal lines (children included) for the monitoring page and alert rules. */
  tally?: Pick<LogTally, "note">;
  /** Milliseconds for the line's "time"; wall time (Date.now) unless a test gives its own. */
  nowMs?: () => number;
}

/**
 * pino.stdTimeFunctions.isoTime, the same text, formatted once per millisecond: under load
 * several lines share a millisecond, and a Date plus toISOString() per line showed in the
 * profile. `nowMs` is the log's clock (wall time, as pino's own; milliseconds rather than the
 * app's Clock, whose Date per call is the cost saved here). Each logger gets its own memo.
 */
export function isoTimeOncePerMs(nowMs: () => number = Date.now): () => string {
  let stampMs = Number.NaN;
  let stamp = "";
  return () => {
    const now = nowMs();
    if (now !== stampMs) {
      stampMs = now;
      stamp = `,"time":"${new Date(now).toISOString()}"`;
    }
    return stamp;
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const { tally } = options;
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
    timestamp: isoTimeOncePerMs(options.nowMs),
    // pino refuses `hooks: undefined`: the key is present only with a tally.
    ...(tally && {
      hooks: {
        // Called only for enabled levels, once per line, before it is written.
        logMethod(
          this: Logger,
          args: Parameters<Logger["info"]>,
          method: Logger["info"],
          level: number,
        ) {
          tally.note(level);
          return method.apply(this, args);
        },
      },
    }),
  };
  const { destination } = options;
  if (options.pretty) {
    const write = destination ? (text: string) => destination.write(text) : undefined;
    return pino(base, prettyStream({ colorize: options.colorize ?? false, write }));
  }
  return destination ? pino(base, destination) : pino(base);
}
