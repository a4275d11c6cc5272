import type { Child } from "hono/jsx";

export interface PageHeaderProps {
  title: Child;
  description?: Child;
  /** Buttons or links shown beside the title on wide screens, below it on narrow ones. */
  actions?: Child;
  eyebrow?: Child;
}

export function PageHeader(props: PageHeaderProps) {
  return (
    <header class="page-header">
      <div class="page-header__text">
        {props.eyebrow !== undefined && <p class="eyebrow">{props.eyebrow}</p>}
        <h1 class="page-header__title">{props.title}</h1>
        {props.description !== undefined && (
          <p class="page-header__description">{props.description}</p>
        )}
      </div>
      {props.actions !== undefined && <div class="page-header__actions">{props.actions}</div>}
    </header>
  );
}
