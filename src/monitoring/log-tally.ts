/**
 * Counts of error- and fatal-level log lines since the process started. The
 * logger calls `note` for every line it writes (a pino logMethod hook, so
 * child loggers count too); the sampler reads the totals and the "errors
 * logged" alert rule compares their growth over a window.
 *
 * A plain object owned by the composition root, not a metric: the logger
 * exists before the metrics registry does (config errors are logged first).
 */
export interface LogTally {
  /** Lines at level error (50) written so far. */
  readonly errors: number;
  /** Lines at level fatal (60) written so far. */
  readonly fatals: number;
  note(level: number): void;
}

/** pino's numeric levels: error is 50, fatal 60. */
const ERROR = 50;
const FATAL = 60;

export function createLogTally(): LogTally {
  let errors = 0;
  let fatals = 0;
  return {
    get errors() {
      return errors;
    },
    get fatals() {
      return fatals;
    },
    note(level) {
      if (level >= FATAL) fatals++;
      else if (level >= ERROR) errors++;
    },
  };
}
