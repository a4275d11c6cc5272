import type { Child } from "hono/jsx";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";
export type ButtonSize = "sm" | "md" | "lg";

/** Extra attributes such as hx-post or data-*; never on* handlers or style (the CSP forbids them). */
export type ExtraAttributes = Record<string, string | number | boolean | undefined>;

interface CommonProps {
  variant?: ButtonVariant;
  size?: ButtonSize;
  block?: boolean;
  class?: string;
  children: Child;
}

export function buttonClass(options: Omit<CommonProps, "children">): string {
  const classes = ["btn", `btn--${options.variant ?? "primary"}`];
  if (options.size && options.size !== "md") classes.push(`btn--${options.size}`);
  if (options.block) classes.push("btn--block");
  if (options.class) classes.push(options.class);
  return classes.join(" ");
}

export interface ButtonProps extends CommonProps {
  type?: "submit" | "button" | "reset";
  name?: string;
  value?: string;
  disabled?: boolean;
  attrs?: ExtraAttributes;
}

export function Button(props: ButtonProps) {
  return (
    <button
      {...props.attrs}
      type={props.type ?? "submit"}
      class={buttonClass(props)}
      name={props.name}
      value={props.value}
      disabled={props.disabled}
    >
      {props.children}
    </button>
  );
}

export interface ButtonLinkProps extends CommonProps {
  href: string;
  attrs?: ExtraAttributes;
}

/** A link styled as a button: navigation stays a GET link, never a form. */
export function ButtonLink(props: ButtonLinkProps) {
  return (
    <a {...props.attrs} href={props.href} class={buttonClass(props)}>
      {props.children}
    </a>
  );
}
