/** What one run of a check found. `observed` is the figure compared with the thresholds (ms, MB, %…). */
export interface CheckOutcome {
  status: "ok" | "warn" | "fail";
  message: string;
  observed?: number;
}

/**
 * One health check. `run` is given a signal that aborts at `timeoutMs`, so a
 * check that can cancel its work (a socket, a timer) does; the registry cuts
 * it off at the timeout either way.
 */
export interface HealthCheck {
  name: string;
  /** A failing critical check makes /readyz answer 503. */
  critical: boolean;
  timeoutMs: number;
  intervalMs: number;
  run(signal: AbortSignal): Promise<CheckOutcome>;
  /** Called when the scheduler starts and stops (the event-loop monitor samples only meanwhile). */
  start?(): void;
  stop?(): void;
}

/** What the registry keeps about a check: its last run and its history in figures. */
export interface CheckState {
  name: string;
  critical: boolean;
  intervalMs: number;
  /** Undefined until the first run finished. */
  last: (CheckOutcome & { checkedAt: Date; durationMs: number }) | undefined;
  lastOkAt: Date | undefined;
  consecutiveFailures: number;
  runs: number;
  /** Durations of the most recent runs, oldest first (at most DURATION_HISTORY). */
  recentDurationsMs: number[];
}

/** /readyz's view, computed from stored results only (never by running a check). */
export interface Readiness {
  /** "starting": a critical check has no result yet; a load balancer should wait. */
  status: "ok" | "unavailable" | "starting";
  checks: Record<string, { status: string; durationMs: number; message: string }>;
}

export interface HealthService {
  /** Every check's state, in registration order; a copy the caller may keep. */
  results(): CheckState[];
  /** Runs one check now (the admin page's "run now"); undefined for an unknown name. */
  runNow(name: string): Promise<CheckState | undefined>;
  /** Runs every check once, all at once; tests and the first round. */
  runAll(): Promise<CheckState[]>;
  readiness(): Readiness;
  /** Records a result obtained elsewhere (the start-up migration step proved the database answers). */
  record(name: string, outcome: CheckOutcome, durationMs?: number): void;
  /** First run of every check now, then each at its own interval; timers are unref'd. */
  start(): void;
  /** Clears the timers and waits for runs in flight (each bounded by its timeout). */
  stop(): Promise<void>;
}
