import type { FingerprintStats } from "../../db/query-stats.js";

/** Longest fingerprint shown in a cell; the rest is one click away under "Full statement". */
export const CLIP_CHARS = 140;

const count = new Intl.NumberFormat("en");
const ms = new Intl.NumberFormat("en", { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export function formatMs(value: number): string {
  return `${ms.format(value)} ms`;
}

/**
 * The normalised statement: literals and parameters are already `?` in a
 * fingerprint (src/db/query-stats.ts), so no value a user typed can show
 * here. Long ones are clipped in the cell, whole on hover and in a
 * disclosure (touch screens have no hover).
 */
function Statement(props: { sql: string }) {
  const clipped = props.sql.length > CLIP_CHARS;
  return (
    <div class="perf-sql">
      <code class="perf-sql__code" title={clipped ? props.sql : undefined}>
        {clipped ? `${props.sql.slice(0, CLIP_CHARS)}…` : props.sql}
      </code>
      {clipped && (
        <details class="perf-sql__full">
          <summary>Full statement</summary>
          <code class="perf-sql__code">{props.sql}</code>
        </details>
      )}
    </div>
  );
}

/**
 * One table of fingerprints. On a phone each row becomes a card of labelled
 * lines (.data-table in app.css), so nothing scrolls sideways.
 */
export function QueryTable(props: { id: string; caption: string; rows: FingerprintStats[] }) {
  if (props.rows.length === 0) {
    return <p class="muted">No statements recorded yet on this instance.</p>;
  }
  return (
    <div class="table-wrap">
      <table class="table data-table perf-table" id={props.id}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Statement</th>
            <th scope="col" class="num">
              Count
            </th>
            <th scope="col" class="num">
              Mean
            </th>
            <th scope="col" class="num">
              p95
            </th>
            <th scope="col" class="num">
              Max
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              <td data-label="Statement" class="data-table__primary perf-table__sql">
                <Statement sql={row.fingerprint} />
              </td>
              <td data-label="Count" class="num">
                {count.format(row.count)}
                {row.errors > 0 && (
                  <span class="badge badge--danger perf-table__errors">
                    {count.format(row.errors)} failed
                  </span>
                )}
              </td>
              <td data-label="Mean" class="num">
                {formatMs(row.meanMs)}
              </td>
              <td data-label="p95" class="num">
                {formatMs(row.p95Ms)}
              </td>
              <td data-label="Max" class="num">
                {formatMs(row.maxMs)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
