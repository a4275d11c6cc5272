import type { Child } from "hono/jsx";
import type { PerformanceData, PolicyRow } from "./data.js";

/** The figure blocks of /admin/performance: tiles, the session cache, the rate-limit table. */

const count = new Intl.NumberFormat("en");

export function Stat(props: { id: string; label: string; value: Child }) {
  return (
    <div class="stat">
      <dt class="stat__label">{props.label}</dt>
      <dd class="stat__value" id={props.id}>
        {props.value}
      </dd>
    </div>
  );
}

export function hitRate(hits: number, misses: number): string {
  const total = hits + misses;
  return total === 0 ? "—" : `${((hits / total) * 100).toFixed(1)}%`;
}

export function SessionCache(props: { data: PerformanceData }) {
  const s = props.data.sessionCache;
  return (
    <section class="stats perf-cache" aria-labelledby="perf-cache-title">
      <h2 class="perf-section__title" id="perf-cache-title">
        Session look-up cache
      </h2>
      <dl class="stats__grid">
        <Stat id="cache-hit-rate" label="Hit rate" value={hitRate(s.hits, s.misses)} />
        <Stat id="cache-hits" label="Hits" value={count.format(s.hits)} />
        <Stat id="cache-misses" label="Misses" value={count.format(s.misses)} />
        <Stat id="cache-entries" label="Entries" value={count.format(s.entries)} />
        <Stat id="cache-evictions" label="Evictions" value={count.format(s.evictions)} />
      </dl>
      <p class="stats__note">
        {s.ttlMs === 0
          ? "Caching is off (SESSION_CACHE_TTL_SECONDS=0): every request reads its session from the database."
          : `Entries live ${count.format(s.ttlMs / 1000)} s, at most ${count.format(s.maxEntries)} of them; a full cache evicts the least recently used.`}
      </p>
    </section>
  );
}

function window(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function RateLimits(props: { rows: PolicyRow[]; store: "memory" | "redis" }) {
  return (
    <section class="perf-section" aria-labelledby="perf-limits-title">
      <h2 class="perf-section__title" id="perf-limits-title">
        Rate-limit decisions
      </h2>
      <p class="muted">
        Requests each policy let through or refused on this instance.{" "}
        {props.store === "redis"
          ? "The limits themselves are counted in Redis, shared by every instance."
          : "The limits are counted in this process's memory."}
      </p>
      <div class="table-wrap">
        <table class="table data-table perf-table" id="rate-limits">
          <caption class="visually-hidden">Rate-limit decisions by policy</caption>
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Limit</th>
              <th scope="col" class="num">
                Allowed
              </th>
              <th scope="col" class="num">
                Blocked
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td data-label="Policy" class="data-table__primary">
                  <code>{row.policy}</code>
                </td>
                <td data-label="Limit">
                  {count.format(row.limit)} / {window(row.windowSeconds)}
                </td>
                <td data-label="Allowed" class="num">
                  {count.format(row.allowed)}
                </td>
                <td data-label="Blocked" class="num">
                  {row.blocked > 0 ? (
                    <span class="badge badge--warn">{count.format(row.blocked)}</span>
                  ) : (
                    "0"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
