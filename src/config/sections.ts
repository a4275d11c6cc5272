/**
 * The sections of docs/configuration.md, in page order, each with the
 * sentence that opens it, and the shape of one variable's description
 * (descriptions.ts and its parts by role).
 */

/** The page's sections, in page order, each with the sentence that opens it. */
export const CONFIG_SECTIONS = {
  essentials: {
    title: "Essentials",
    intro:
      "What every deployment sets. In development none is needed: a secret is generated once into `DATA_DIR/.secret` and the site runs on http://localhost:8000.",
  },
  server: {
    title: "Server",
    intro: "Where the process listens and how long it waits for requests.",
  },
  database: {
    title: "Database",
    intro:
      "DuckDB by default (one process per file); PostgreSQL for several instances. See [operations](operations.md) and [deployment](deployment.md).",
  },
  redis: {
    title: "Redis",
    intro: "Optional shared state for several instances.",
  },
  mail: {
    title: "Mail",
    intro:
      "Mail is queued in the database (the outbox) and sent in the background. Without SMTP_HOST, development captures it at /dev/mail and production holds it unsent.",
  },
  oauth: {
    title: "OAuth and OpenID Connect",
    intro: "A provider's button appears only when its id and secret are both set.",
  },
  proxy: {
    title: "Headers, origins and proxies",
    intro: "Browser-side protections and how the client's address is found behind a proxy.",
  },
  accounts: {
    title: "Sessions and accounts",
    intro: "Lifetimes of sessions, links and re-authentication, and what sign-up requires.",
  },
  passwords: {
    title: "Passwords and sign-in limits",
    intro: "Password rules, the argon2id cost, and the rate limits that guard sign-in.",
  },
  logs: {
    title: "Logs and metrics",
    intro: "What is logged and what Prometheus scrapes; see [monitoring](monitoring.md).",
  },
  audit: {
    title: "Audit log",
    intro: "How long the security log is kept; see [audit](audit.md).",
  },
  health: {
    title: "Health checks",
    intro:
      "Each check runs on its own schedule; /readyz and the admin pages read the last results ([operations](operations.md)).",
  },
  alerts: {
    title: "Alerts",
    intro: "Rules evaluated on this instance's samples, and where their notices go.",
  },
  passkeys: {
    title: "Passkeys",
    intro:
      "WebAuthn's relying party. A passkey is bound to its relying party id for good: set these before anyone registers one.",
  },
  securityTxt: {
    title: "security.txt",
    intro: "/.well-known/security.txt (RFC 9116), served only when SECURITY_CONTACT is set.",
  },
} as const;

export type ConfigSection = keyof typeof CONFIG_SECTIONS;

export interface VariableDescription {
  section: ConfigSection;
  /** One or two sentences: what it does, and what the default means when that is not obvious. */
  text: string;
}
