import type { Theme } from "../../http/context.js";
import { useSignedInUser } from "../request-context.js";
import { CsrfField } from "./form.js";
import { ThemeSwitcher } from "./theme-switcher.js";

export interface SiteHeaderProps {
  appName: string;
  theme: Theme;
  /** Path of the current request, to mark the active link with aria-current. */
  currentPath: string;
}

function NavLink(props: {
  href: string;
  currentPath: string;
  label: string;
  class?: string;
  /** The section the link leads into, when wider than `href` (default: `href`). */
  section?: string;
}) {
  const section = props.section ?? props.href;
  const active = props.currentPath === section || props.currentPath.startsWith(`${section}/`);
  return (
    <a
      href={props.href}
      class={props.class ? `nav__link ${props.class}` : "nav__link"}
      aria-current={active ? "page" : undefined}
    >
      {props.label}
    </a>
  );
}

function Brand(props: { appName: string }) {
  return (
    <a href="/" class="brand">
      <span class="brand__mark">
        <svg class="brand__logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
          <path d="M16 2 4 6.5v8.8c0 7.3 5 13.3 12 14.7 7-1.4 12-7.4 12-14.7V6.5Z" />
          <path class="brand__logo-check" d="m10.5 16 4 4 7-8" />
        </svg>
      </span>
      <span class="brand__name">{props.appName}</span>
    </a>
  );
}

/** Shows who is signed in (read from the request being rendered) and their way out. */
export function SiteHeader(props: SiteHeaderProps) {
  const { currentPath } = props;
  const user = useSignedInUser();
  return (
    <header class="site-header">
      <div class="container site-header__inner">
        <Brand appName={props.appName} />
        <nav class="nav" aria-label="Main">
          <NavLink href="/docs" label="Docs" currentPath={currentPath} />
          {user === undefined ? (
            <>
              <NavLink href="/auth/login" label="Sign in" currentPath={currentPath} />
              <a href="/auth/register" class="btn btn--primary btn--sm nav__cta">
                Create account
              </a>
            </>
          ) : (
            <>
              <NavLink href="/dashboard" label="Dashboard" currentPath={currentPath} />
              {/* The settings page links every account page; the link is current on all of them. */}
              <NavLink
                href="/account/settings"
                section="/account"
                label="Account"
                currentPath={currentPath}
              />
              {user.isAdmin && <NavLink href="/admin" label="Admin" currentPath={currentPath} />}
            </>
          )}
        </nav>
        {/*
          Sign out changes state, so it is a POST form carrying the CSRF token, never a link.
          It sits outside the nav (an action, not a place): on a phone it stays on the brand's
          row, next to the theme switcher, instead of wrapping onto a row of its own.
        */}
        {user !== undefined && (
          <form class="site-header__sign-out" method="post" action="/auth/logout">
            <CsrfField />
            <button
              type="submit"
              class="nav__link nav__button"
              title={`Signed in as ${user.email}`}
            >
              Sign out
            </button>
          </form>
        )}
        <ThemeSwitcher current={props.theme} />
      </div>
    </header>
  );
}
