/** Number and time wording shared by the monitoring page's blocks. */

const number = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

/** A figure with its unit, or a dash when nothing was measured. */
export function figure(value: number | undefined, unit = ""): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  return unit === "" ? number.format(value) : `${number.format(value)} ${unit}`;
}

export function count(value: number | undefined): string {
  return value === undefined ? "—" : whole.format(value);
}

/** "3 ms", "1.2 s": a check's duration. */
export function duration(ms: number): string {
  return ms < 1000 ? `${whole.format(ms)} ms` : `${number.format(ms / 1000)} s`;
}

/** "2026-01-15 12:00:05 UTC". */
export function utcTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

const shortDate = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
});

/** "15 Jan 12:00:05": a table cell under a page that says its times are UTC. */
export function shortTime(at: Date): string {
  return `${shortDate.format(at)} ${at.toISOString().slice(11, 19)}`;
}

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago"; "just now" under a second. */
export function ago(at: Date, now: Date): string {
  const s = Math.round((now.getTime() - at.getTime()) / 1000);
  if (s < 1) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** "30 s", "5 min", "1 h 30 min": a rule's `for` and cooldown. */
export function span(seconds: number): string {
  if (seconds === 0) return "none";
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [h > 0 ? `${h} h` : "", m > 0 ? `${m} min` : "", rest > 0 ? `${rest} s` : ""];
  return parts.filter(Boolean).join(" ");
}
