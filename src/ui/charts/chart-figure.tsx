import type { Child } from "hono/jsx";
import type { ChartPicture } from "./picture.js";
import type { ChartSpec } from "./spec.js";

const number = new Intl.NumberFormat("en");

/** A table cell: the number, or a dash where nothing was measured (a gap in a line). */
const cell = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : number.format(value);

export interface ChartFigureProps {
  /** Unique on the page: ids of the caption and the table derive from it. */
  id: string;
  title: string;
  /** The alt text: what the chart says in one or two sentences (totals, the largest item). */
  alt: string;
  picture: ChartPicture;
  spec: ChartSpec;
  /** Header of the label column of the table ("Day", "Address"). */
  labelHeader: string;
  /** Replaces the label cell of each row (a link to the account), in the spec's order. */
  labelCells?: readonly Child[];
}

/**
 * A server-rendered chart as an image (an SVG data: URL, so the strict CSP
 * holds whatever the SVG contains), with its numbers as a table in a
 * disclosure: the table is what a screen reader or a copy-paste gets.
 */
export function ChartFigure(props: ChartFigureProps) {
  const { picture } = props;
  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`}>
      <figcaption class="chart__title" id={`${props.id}-title`}>
        {props.title}
      </figcaption>
      <picture>
        {picture.sources.map((source) => (
          <source media={source.media} srcset={source.srcset} type="image/svg+xml" />
        ))}
        <img
          class="chart__image"
          src={picture.src}
          alt={props.alt}
          width={picture.size.width}
          height={picture.size.height}
          decoding="async"
        />
      </picture>
      <details class="chart__data">
        <summary>Show the numbers</summary>
        <ChartTable
          spec={props.spec}
          labelHeader={props.labelHeader}
          labelCells={props.labelCells}
        />
      </details>
    </figure>
  );
}

function ChartTable(props: {
  spec: ChartSpec;
  labelHeader: string;
  labelCells?: readonly Child[];
}) {
  const { spec } = props;
  if (spec.kind === "bar-list") {
    if (spec.items.length === 0) return <p class="muted">{spec.emptyMessage}</p>;
    return (
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{props.labelHeader}</th>
              <th scope="col" class="num">
                {spec.valueName}
              </th>
            </tr>
          </thead>
          <tbody>
            {spec.items.map((item, i) => (
              <tr>
                <th scope="row">{props.labelCells?.[i] ?? item.label}</th>
                <td class="num">{number.format(item.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{props.labelHeader}</th>
            {spec.series.map((series) => (
              <th scope="col" class="num">
                {spec.unit !== undefined ? `${series.name} (${spec.unit})` : series.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {spec.buckets.map((bucket, i) => (
            <tr>
              <th scope="row">{props.labelCells?.[i] ?? bucket}</th>
              {spec.series.map((series) => (
                <td class="num">{cell(series.values[i])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
