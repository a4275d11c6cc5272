const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** Two units joined ("1 hour and 5 minutes"), or just the first when the second is zero. */
function pair(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0
    ? plural(big, bigUnit)
    : `${plural(big, bigUnit)} and ${plural(small, smallUnit)}`;
}

/**
 * A wait in words, for people: "45 seconds", "7 minutes", "1 hour and 5
 * minutes", "2 days". Always rounded UP to the unit shown, so whoever follows
 * the advice is never turned away again for coming back a little early.
 */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(Number.isFinite(seconds) ? seconds : 1));
  if (s < MINUTE) return plural(s, "second");
  const minutes = Math.ceil(s / MINUTE);
  if (minutes < 60) return plural(minutes, "minute");
  if (minutes < DAY / MINUTE) {
    const hours = Math.floor(minutes / 60);
    return pair(hours, "hour", minutes % 60, "minute");
  }
  const hours = Math.ceil(s / HOUR);
  return pair(Math.floor(hours / 24), "day", hours % 24, "hour");
}

/**
 * Seconds from a Retry-After header in its delta-seconds form (the only form
 * this app sends); undefined for anything else, so a malformed value is
 * simply not shown.
 */
export function retryAfterSeconds(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,9}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
