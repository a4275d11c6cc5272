import type { Child } from "hono/jsx";
import type { LiveData } from "./data.js";
import { count, figure, utcTime } from "./format.js";

/** The key figures of the refreshed block: ten tiles over the last 5 minutes, with the latest sample beneath. */

function Figure(props: { id: string; label: string; value: string; note?: Child }) {
  return (
    <div class="stat">
      <dt class="stat__label">{props.label}</dt>
      <dd class="stat__value" id={props.id}>
        {props.value}
      </dd>
      {props.note !== undefined && <dd class="stat__note">{props.note}</dd>}
    </div>
  );
}

export function Figures(props: { data: LiveData }) {
  const { latest, window: w } = props.data;
  const now = (text: string) => `last 10 s: ${text}`;
  if (latest === undefined) {
    return (
      <section class="monitoring-figures" aria-labelledby="figures-title">
        <h2 class="monitoring-section__title" id="figures-title">
          Key figures
        </h2>
        <div class="empty-state" id="figures-empty">
          <p class="empty-state__title">No samples yet.</p>
          <p>
            This instance records its figures every 10 seconds once it serves; the first appear here
            within a few seconds.
          </p>
        </div>
      </section>
    );
  }
  const minutes = Math.max(1, Math.round(w.spanMs / 60_000));
  return (
    <section class="monitoring-figures" aria-labelledby="figures-title">
      <h2 class="monitoring-section__title" id="figures-title">
        Key figures
      </h2>
      <p class="muted monitoring-section__note">
        Over the last {minutes} {minutes === 1 ? "minute" : "minutes"} of this instance (
        {count(w.samples)} samples), with the latest 10-s sample beneath (
        <time datetime={latest.at.toISOString()} title={utcTime(latest.at)}>
          {latest.at.toISOString().slice(11, 19)} UTC
        </time>
        ).
      </p>
      <dl class="stats__grid monitoring-figures__grid">
        <Figure
          id="fig-request-rate"
          label="Requests"
          value={figure(w.requestRate, "req/s")}
          note={now(`${count(latest.requests)} requests`)}
        />
        <Figure
          id="fig-error-rate"
          label="Error rate (5xx)"
          value={figure(w.errorRatePercent, "%")}
          note={`${count(w.errors)} of ${count(w.requests)}`}
        />
        <Figure
          id="fig-p50"
          label="Response p50"
          value={figure(w.p50Ms, "ms")}
          note={now(figure(latest.p50Ms, "ms"))}
        />
        <Figure
          id="fig-p95"
          label="Response p95"
          value={figure(w.p95Ms, "ms")}
          note={now(figure(latest.p95Ms, "ms"))}
        />
        <Figure
          id="fig-sessions"
          label="Active sessions"
          value={count(latest.sessionsActive)}
          note="not expired, all instances"
        />
        <Figure
          id="fig-sign-ins"
          label="Sign-ins ok / failed"
          value={`${count(w.signInsOk)} / ${count(w.signInsFailed)}`}
          note={now(`${count(latest.signInsOk)} / ${count(latest.signInsFailed)}`)}
        />
        <Figure
          id="fig-rss"
          label="Memory (RSS)"
          value={figure(latest.rssMb, "MB")}
          note={`highest ${figure(w.rssMaxMb, "MB")}`}
        />
        <Figure
          id="fig-cpu"
          label="CPU"
          value={figure(w.cpuPercent, "%")}
          note={now(figure(latest.cpuPercent, "%"))}
        />
        <Figure
          id="fig-event-loop"
          label="Event-loop delay p99"
          value={figure(w.eventLoopP99Ms, "ms")}
          note={now(figure(latest.eventLoopP99Ms, "ms"))}
        />
        <Figure
          id="fig-outbox"
          label="Mail outbox"
          value={count(latest.outboxPending)}
          note={`waiting; ${count(latest.outboxDead)} dead ${latest.outboxDead === 1 ? "letter" : "letters"}`}
        />
      </dl>
    </section>
  );
}
