import { Hono } from "hono";
import type { Config } from "../config/env.js";
import type { Clock } from "../lib/clock.js";

export const SECURITY_TXT_PATH = "/.well-known/security.txt";

/**
 * Just under a year: RFC 9116 section 2.5.5 recommends an Expires less than
 * a year ahead. The file is rendered per request from deps.clock, so it
 * never goes stale while the app runs.
 */
const EXPIRES_AFTER_MS = 364 * 24 * 3600 * 1000;

/** The file's text: one field per line, CRLF not required (RFC 9116 allows LF). */
export function securityTxt(
  config: Pick<Config, "appUrl" | "securityTxt">,
  now: Date,
): string | undefined {
  const fields = config.securityTxt;
  if (!fields) return undefined;
  // RFC 3339 without fractional seconds: the plainest form every parser reads.
  const expires = new Date(now.getTime() + EXPIRES_AFTER_MS).toISOString().replace(/\.\d+Z$/, "Z");
  const lines = [
    ...fields.contacts.map((contact) => `Contact: ${contact}`),
    `Expires: ${expires}`,
    ...(fields.preferredLanguages ? [`Preferred-Languages: ${fields.preferredLanguages}`] : []),
    `Canonical: ${config.appUrl}${SECURITY_TXT_PATH}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * GET /.well-known/security.txt, mounted only when SECURITY_CONTACT is set:
 * without a contact there is nothing true to say, and a 404 tells
 * researchers that plainly.
 */
export function createSecurityTxtRoutes(deps: { config: Config; clock: Clock }): Hono {
  const app = new Hono();
  if (!deps.config.securityTxt) return app;
  app.get(SECURITY_TXT_PATH, (c) => {
    c.header("Content-Type", "text/plain; charset=utf-8");
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(securityTxt(deps.config, deps.clock.now()) ?? "");
  });
  return app;
}
