import type { Child } from "hono/jsx";

export interface CardProps {
  title?: Child;
  /** Heading level of the title, so cards fit the page outline (default h2). */
  level?: 2 | 3;
  footer?: Child;
  class?: string;
  children: Child;
}

export function Card(props: CardProps) {
  const Heading = props.level === 3 ? "h3" : "h2";
  return (
    <section class={props.class ? `card ${props.class}` : "card"}>
      {props.title !== undefined && <Heading class="card__title">{props.title}</Heading>}
      <div class="card__body">{props.children}</div>
      {props.footer !== undefined && <div class="card__footer">{props.footer}</div>}
    </section>
  );
}
