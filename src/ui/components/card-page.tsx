import type { Child } from "hono/jsx";
import { Card } from "./card.js";
import { PageHeader, type PageHeaderProps } from "./page-header.js";

export interface CardPageProps extends PageHeaderProps {
  footer?: Child;
  /** Space the card's contents as a stack (several blocks rather than one form). */
  stack?: boolean;
  children: Child;
}

/** A page: its heading, then its blocks (cards, alerts) spaced as a stack. */
export function Page(props: PageHeaderProps & { children: Child }) {
  const { children, ...header } = props;
  return (
    <div class="stack">
      <PageHeader {...header} />
      {children}
    </div>
  );
}

/** The page most account flows are: a heading and one card under it. */
export function CardPage(props: CardPageProps) {
  const { footer, stack, children, ...header } = props;
  return (
    <Page {...header}>
      <Card footer={footer}>{stack ? <div class="stack">{children}</div> : children}</Card>
    </Page>
  );
}
