import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { startTestServer, type TestApp, type TestAppOptions } from "../harness.js";

/** Debian's Chromium, never a Playwright download; flags keep it quiet and offline-friendly. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Everything a page did wrong; a clean page leaves all three empty. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
}

/**
 * Init scripts run before any page script and are exempt from the page's CSP,
 * so this listener sees every violation, including one that blocks a script.
 */
const CSP_LISTENER = `
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__bastionCspViolation(
      e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
      (e.sourceFile ? " at " + e.sourceFile + ":" + e.lineNumber : "") +
      (e.sample ? " sample: " + e.sample : ""),
    );
  });
`;

/** A fresh context and page that records console errors, uncaught errors and CSP violations. */
export async function newWatchedPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext(options);
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], cspViolations: [] };
  await context.exposeBinding("__bastionCspViolation", (_source, text: string) => {
    problems.cspViolations.push(text);
  });
  await context.addInitScript(CSP_LISTENER);
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    problems.consoleErrors.push(text);
    if (text.includes("Content Security Policy")) problems.cspViolations.push(text);
  });
  page.on("pageerror", (error) => {
    problems.pageErrors.push(error.stack ?? error.message);
  });
  return { page, context, problems };
}

/** The two widths every page is looked at: a small phone and a laptop. */
export const PHONE = { width: 360, height: 780 } as const;
export const LAPTOP = { width: 1280, height: 900 } as const;

export const RESULTS_DIR = join(process.cwd(), "test-results");

/** Full-page screenshot at test-results/<name>.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface StrictServer {
  url: string;
  testApp: TestApp;
  close(): Promise<void>;
}

/** The real app on 127.0.0.1 (free port, in-memory DuckDB) under the strict production CSP. */
export async function startStrictServer(options: TestAppOptions = {}): Promise<StrictServer> {
  const server = await startTestServer({ ...options, env: { CSP_MODE: "strict", ...options.env } });
  return { url: server.url, testApp: server, close: server.close };
}

/** The server and browser a browser-test file shares, filled in by its beforeAll. */
export interface BrowserSuite {
  server: StrictServer;
  browser: Browser;
}

/**
 * The one set-up of every browser-test file: a strict-CSP server and a
 * Chromium started together before the file's tests, both closed after.
 * `options` may be a function when they depend on something started first
 * (a stand-in OAuth provider's address); `setup` runs once both are up
 * (seed users, add a test-only route).
 */
export function useBrowserSuite(
  options: TestAppOptions | (() => Promise<TestAppOptions>) = {},
  setup?: (suite: BrowserSuite) => Promise<void>,
): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    const serverOptions = typeof options === "function" ? options() : Promise.resolve(options);
    [suite.server, suite.browser] = await Promise.all([
      serverOptions.then(startStrictServer),
      launchBrowser(),
    ]);
    await setup?.(suite);
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/**
 * Nothing went wrong on the page. `expectedStatuses`: a form answered with an
 * error status on purpose (422 refused form, 401 wrong code, 429 limit) makes
 * Chromium log "Failed to load resource: … 422"; that line, and only that one,
 * is expected.
 */
export function expectClean(problems: PageProblems, expectedStatuses: number[] = []): void {
  const expected = (m: string) =>
    expectedStatuses.some((s) => m.includes(`the server responded with a status of ${s}`));
  expect(problems.cspViolations, "CSP violations").toEqual([]);
  expect(problems.pageErrors, "page errors").toEqual([]);
  expect(
    problems.consoleErrors.filter((m) => !expected(m)),
    "console errors",
  ).toEqual([]);
}

// Page-side expressions are strings: the tests' tsconfig has no DOM library.

/** The body background of each palette (static/app.css). */
export const PALETTE = { light: "rgb(255, 255, 255)", dark: "rgb(11, 14, 20)" } as const;

/** The page's computed body background, to compare with PALETTE. */
export async function bodyBackground(page: Page): Promise<string> {
  return String(await page.evaluate("getComputedStyle(document.body).backgroundColor"));
}

/** The document's scroll width: wider than the viewport means a horizontal scrollbar. */
export async function scrollWidth(page: Page): Promise<number> {
  return Number(await page.evaluate("document.documentElement.scrollWidth"));
}

/** htmx loaded and initialised: the strict CSP let the nonced script run. */
export async function waitForHtmx(page: Page): Promise<void> {
  await page.waitForFunction("typeof window.htmx?.process === 'function'");
}

/**
 * Photographs the current page in both palettes (theme "system" follows
 * prefers-color-scheme) as `<name>-light.png` and `<name>-dark.png`, then
 * goes back to light.
 */
export async function shootSchemes(page: Page, name: string): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    // Reduced motion: colour transitions finish at once, so the picture is the settled page.
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    // Chromium restyles asynchronously after an emulated media change: wait for the palette.
    // (Polled from here: a string predicate in waitForFunction is an eval the strict CSP blocks.)
    const background = PALETTE[scheme];
    let seen = "";
    for (let i = 0; i < 50 && seen !== background; i++) {
      if (i > 0) await page.waitForTimeout(50);
      seen = await bodyBackground(page);
    }
    expect(seen, `${name}: ${scheme} palette`).toBe(background);
    await screenshot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
}
