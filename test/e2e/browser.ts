import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
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
