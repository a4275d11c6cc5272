import pino, { type DestinationStream, type Logger } from "pino";

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

export interface LoggerOptions {
  level: string;
  /** Human-readable output for development (pino-pretty); JSON otherwise. */
  pretty: boolean;
  /** Where lines go; defaults to stdout. Tests pass a stream to assert on lines. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" },
      },
    });
  }
  return pino(base);
}
