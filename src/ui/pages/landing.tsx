import type { Child } from "hono/jsx";
import { ButtonLink } from "../components/button.js";
import { CodeBlock } from "../components/code-block.js";
import { Icon, type IconName } from "../components/icon.js";

interface Feature {
  icon: IconName;
  title: string;
  text: string;
}

const FEATURES: readonly Feature[] = [
  {
    icon: "users",
    title: "Accounts, done properly",
    text: "Registration with email verification, password reset and sessions you can revoke from any device. Passwords hashed with Argon2id.",
  },
  {
    icon: "phone",
    title: "Two-factor sign-in",
    text: "TOTP authenticator apps with single-use backup codes, replay protection, and a fresh password check before sensitive changes.",
  },
  {
    icon: "login",
    title: "Google, GitHub and OIDC",
    text: "Sign in with Google, GitHub or any OpenID Connect provider, linked to existing accounts only when it is safe to.",
  },
  {
    icon: "shield",
    title: "Secure by default",
    text: "CSRF tokens plus origin checks, a nonce-based Content Security Policy, rate limits on sensitive endpoints and hardened cookies.",
  },
  {
    icon: "log",
    title: "Audit log",
    text: "Sign-ins, account changes and admin actions recorded with who, what, when and from where.",
  },
  {
    icon: "activity",
    title: "Metrics and health checks",
    text: "Prometheus metrics, structured JSON logs with request ids, and liveness and readiness endpoints for your orchestrator.",
  },
  {
    icon: "dashboard",
    title: "Mail that is never lost",
    text: "Every email is written in the same transaction as the action behind it and delivered with retries, so nothing is lost while SMTP is down.",
  },
  {
    icon: "book",
    title: "Documentation included",
    text: "Guides and reference served by the app itself at /docs, versioned with the code they describe.",
  },
  {
    icon: "database",
    title: "DuckDB now, PostgreSQL later",
    text: "Starts on an embedded DuckDB file. Set DATABASE_URL and REDIS_URL to run many instances behind a proxy.",
  },
];

/** What a fresh install ships switched on; each row is a real default, not a plan. */
const DEFAULTS: readonly (readonly [string, string])[] = [
  ["Content Security Policy", "nonce + strict-dynamic"],
  ["CSRF", "masked token + Origin check"],
  ["Session cookies", "HttpOnly, Secure, SameSite"],
  ["Passwords", "Argon2id"],
  ["Rate limits", "sign-in, sign-up, reset"],
  ["Health and metrics", "/readyz, /metrics"],
];

function DefaultsPanel() {
  return (
    <div class="defaults-panel">
      <p class="defaults-panel__title">
        <Icon name="lock" /> On by default
      </p>
      <dl class="defaults-panel__list">
        {DEFAULTS.map(([name, value]) => (
          <div class="defaults-panel__row">
            <dt>
              <Icon name="check" class="defaults-panel__check" />
              {name}
            </dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** What the hero promises at a glance, each ticked. */
const HERO_FACTS = [
  "Strict CSP, no inline script",
  "Forms work without JavaScript",
  "One process or many",
] as const;

/** The two ways in: under the hero (with an arrow) and again at the end of the page. */
function Actions(props: { class: string; arrow?: boolean }) {
  return (
    <div class={props.class}>
      <ButtonLink href="/auth/register" size="lg">
        Create account
        {props.arrow ? <Icon name="arrowRight" /> : null}
      </ButtonLink>
      <ButtonLink href="/docs" size="lg" variant="secondary">
        Read the docs
      </ButtonLink>
    </div>
  );
}

/** A landing section labelled by its heading's id, its content in a `container` (plus `inner`). */
function Section(props: { titleId: string; class?: string; inner?: string; children: Child }) {
  return (
    <section class={props.class ?? "section"} aria-labelledby={props.titleId}>
      <div class={props.inner ? `container ${props.inner}` : "container"}>{props.children}</div>
    </section>
  );
}

/** A section's eyebrow and title; the title's id labels the section. */
function SectionHeading(props: { id: string; eyebrow: string; children: Child }) {
  return (
    <>
      <p class="eyebrow">{props.eyebrow}</p>
      <h2 class="section__title" id={props.id}>
        {props.children}
      </h2>
    </>
  );
}

function Hero() {
  return (
    <Section titleId="hero-title" class="hero" inner="hero__inner">
      <div class="hero__text">
        <p class="pill">
          <Icon name="shield" /> TypeScript · MIT licensed · Node 20+
        </p>
        <h1 class="hero__title" id="hero-title">
          Secure, observable web apps in TypeScript,{" "}
          <span class="accent">from the first commit</span>
        </h1>
        <p class="hero__lead">
          Bastion is a server-rendered framework built on Hono and htmx. Accounts, two-factor
          sign-in, social login, an audit log and Prometheus metrics come wired, tested and locked
          down, so you start on your product instead of on password resets.
        </p>
        <Actions class="hero__actions" arrow />
        <ul class="hero__facts">
          {HERO_FACTS.map((fact) => (
            <li>
              <Icon name="check" /> {fact}
            </li>
          ))}
        </ul>
      </div>
      <div class="hero__visual">
        <CodeBlock
          label="Terminal"
          shell
          lines={["npm install", "npm start"]}
          output={["# then open http://localhost:8000"]}
        />
        <DefaultsPanel />
      </div>
    </Section>
  );
}

function Features() {
  return (
    <Section titleId="features-title">
      <div class="section__header">
        <SectionHeading id="features-title" eyebrow="What you get">
          The parts every product needs, already built
        </SectionHeading>
        <p class="section__lead">
          Each capability has its own tests, error codes and documentation. Turn things off
          explicitly in configuration; nothing insecure is on by accident.
        </p>
      </div>
      <ul class="feature-grid">
        {FEATURES.map((f) => (
          <li class="feature">
            <span class="feature__icon">
              <Icon name={f.icon} />
            </span>
            <h3 class="feature__title">{f.title}</h3>
            <p class="feature__text">{f.text}</p>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function GetStarted() {
  return (
    <Section titleId="start-title" class="section section--alt" inner="split split--center">
      <div class="get-started__text">
        <SectionHeading id="start-title" eyebrow="Get started">
          Two commands to a running site
        </SectionHeading>
        <p>
          Clone the repository, install and start. Development mode serves on port 8000, keeps its
          data in <code>data/app.duckdb</code> and shows outgoing email at <code>/dev/mail</code>,
          so you can register and verify an account without an SMTP server.
        </p>
        <p>
          When one machine is not enough, point Bastion at PostgreSQL and Redis. Sessions, rate
          limits and caches move to shared stores; your code does not change.
        </p>
      </div>
      <div class="stack">
        <CodeBlock label="Terminal" shell lines={["npm install", "npm start"]} />
        <CodeBlock
          label=".env (scale out)"
          lines={["DATABASE_URL=postgres://app@db:5432/app", "REDIS_URL=redis://cache:6379"]}
        />
      </div>
    </Section>
  );
}

function CallToAction() {
  return (
    <Section titleId="cta-title">
      <div class="cta">
        <h2 class="cta__title" id="cta-title">
          Start with secure defaults
        </h2>
        <p class="cta__text">Create an account to try the sign-in flows, or read how it works.</p>
        <Actions class="cta__actions" />
      </div>
    </Section>
  );
}

export function LandingPage() {
  return (
    <>
      <Hero />
      <Features />
      <GetStarted />
      <CallToAction />
    </>
  );
}
