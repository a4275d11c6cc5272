import type { Child } from "hono/jsx";
import { PageHeader } from "../ui/components/page-header.js";
import { useRequest } from "../ui/request-context.js";
import { can, type Permission } from "../users/roles.js";

/**
 * The Admin section's pages, in the order the sub-navigation lists them. A
 * new section (Audit, Monitoring) is one entry here; the overview at /admin
 * and the tab bar on every admin page both read this list, and an entry is
 * only shown to users whose role grants its permission (roles.ts decides).
 */
export interface AdminSection {
  href: string;
  label: string;
  /** One sentence for the overview page. */
  description: string;
  permission: Permission;
}

export const ADMIN_SECTIONS: readonly AdminSection[] = [
  {
    href: "/admin/users",
    label: "Users",
    description: "Find an account, see its status, sign-ins and 2FA, and export the list as CSV.",
    permission: "users.view",
  },
  {
    href: "/admin/audit",
    label: "Audit",
    description:
      "Sign-in figures and charts, the last day's security events, and every recorded event to search and export.",
    permission: "admin.access",
  },
  {
    href: "/admin/performance",
    label: "Performance",
    description:
      "Slow and frequent database statements, the session cache and rate limits of this instance, and maintenance.",
    permission: "admin.access",
  },
  {
    href: "/admin/monitoring",
    label: "Monitoring",
    description:
      "Health, request and error rates, latency, memory and alerts of this instance, with charts of the last hour and day.",
    permission: "admin.access",
  },
];

/** The sections the signed-in user may open (all of them for an admin). */
export function visibleSections(
  user: Parameters<typeof can>[0],
  sections: readonly AdminSection[] = ADMIN_SECTIONS,
): AdminSection[] {
  return sections.filter((section) => can(user, section.permission));
}

/** One step of the trail above the title; the last one (the page itself) has no href. */
export interface Crumb {
  label: string;
  href?: string;
}

export interface AdminPageProps {
  title: Child;
  description?: Child;
  /** Buttons or links beside the title (an export link, a primary action). */
  actions?: Child;
  /** "Admin / Users / Ada Lovelace": every crumb but the last is a link. */
  breadcrumbs?: readonly Crumb[];
  /** A single way back ("All users"), shown when there are no breadcrumbs. */
  back?: { href: string; label: string };
  children: Child;
}

function isCurrent(path: string, href: string): boolean {
  return path === href || path.startsWith(`${href}/`);
}

/**
 * The sub-navigation: a row of tabs that scrolls inside itself when there
 * are more sections than a 360 px screen can hold, so the page never scrolls
 * sideways.
 */
export function AdminNav(props: { sections: readonly AdminSection[]; currentPath: string }) {
  return (
    <nav class="admin-nav" aria-label="Admin sections">
      <ul class="admin-nav__list">
        <li>
          <a
            href="/admin"
            class="admin-nav__link"
            aria-current={props.currentPath === "/admin" ? "page" : undefined}
          >
            Overview
          </a>
        </li>
        {props.sections.map((section) => (
          <li>
            <a
              href={section.href}
              class="admin-nav__link"
              aria-current={isCurrent(props.currentPath, section.href) ? "page" : undefined}
            >
              {section.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Breadcrumbs(props: { crumbs: readonly Crumb[] }) {
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      <ol class="breadcrumbs__list">
        {props.crumbs.map((crumb, i) => {
          const last = i === props.crumbs.length - 1;
          return (
            <li class="breadcrumbs__item">
              {crumb.href !== undefined && !last ? (
                <a href={crumb.href}>{crumb.label}</a>
              ) : (
                <span aria-current={last ? "page" : undefined}>{crumb.label}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/**
 * Every admin page: the section tabs, an optional trail or back link, the
 * page heading, then the page's blocks spaced as a stack. Pass it as the
 * `children` of renderPage. Who is signed in and which path is open are read
 * from the request being rendered (as the site header does), so handlers
 * pass only what the page shows.
 */
export function AdminPage(props: AdminPageProps) {
  const c = useRequest();
  const currentPath = c?.req.path ?? "";
  const sections = visibleSections(c?.get("user"));
  return (
    <div class="admin stack">
      <AdminNav sections={sections} currentPath={currentPath} />
      {props.breadcrumbs !== undefined && props.breadcrumbs.length > 0 ? (
        <Breadcrumbs crumbs={props.breadcrumbs} />
      ) : (
        props.back !== undefined && (
          <p class="admin-back">
            <a href={props.back.href}>
              <span aria-hidden="true">← </span>
              {props.back.label}
            </a>
          </p>
        )
      )}
      <PageHeader
        eyebrow="Admin"
        title={props.title}
        description={props.description}
        actions={props.actions}
      />
      {props.children}
    </div>
  );
}

/** GET /admin: what each section is for, with a link into it. */
export function AdminOverview(props: { sections: readonly AdminSection[] }) {
  return (
    <AdminPage
      title="Admin"
      description="Run the site: accounts now, more sections as they are added."
    >
      <ul class="admin-sections">
        {props.sections.map((section) => (
          <li class="admin-sections__item card">
            <h2 class="admin-sections__title">
              <a href={section.href}>{section.label}</a>
            </h2>
            <p class="admin-sections__text">{section.description}</p>
          </li>
        ))}
      </ul>
    </AdminPage>
  );
}
