import { expect } from "vitest";
import type { Queryable } from "../../src/db/db.js";
import type { TestApp, TestClient } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";

/** Shared by the audit explorer and export flows: seeding rows and reading the page back. */

export interface SeedEvent {
  id: string;
  type: string;
  outcome?: string;
  actor?: string | null;
  target?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
  at: string;
}

/** Rows written directly (the recorder would stamp the clock's one time on each). */
export async function insertEvents(db: Queryable, events: readonly SeedEvent[]): Promise<void> {
  for (const e of events) {
    await db.execute(
      `INSERT INTO audit_events (id, type, outcome, actor_id, target_id, ip, user_agent, request_id, details, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9)`,
      [
        e.id,
        e.type,
        e.outcome ?? "success",
        e.actor ?? null,
        e.target ?? null,
        e.ip ?? null,
        e.userAgent ?? null,
        JSON.stringify(e.details ?? {}),
        new Date(e.at),
      ],
    );
  }
}

export const ADMIN_EMAIL = "root@example.com";

/** `origin`: the app's own origin when it is not the default (a server on a free port). */
export async function signedInAdmin(t: TestApp, origin?: string): Promise<TestClient> {
  await seedUser(t, { email: ADMIN_EMAIL, role: "admin", firstName: "Root", lastName: "Admin" });
  const client = t.newClient();
  const headers: Record<string, string> = origin ? { Origin: origin } : {};
  expect((await login(client, { email: ADMIN_EMAIL }, headers)).status).toBe(303);
  return client;
}

/** The event ids the explorer lists, in order. */
export function listedIds(html: string): string[] {
  return [...html.matchAll(/<tr data-event-id="([^"]+)">/g)].map((m) => m[1] ?? "");
}

export function pagerLink(html: string, label: "Older" | "Newer"): string | undefined {
  const re = new RegExp(
    `<a class="[^"]*" rel="${label === "Older" ? "next" : "prev"}" href="([^"]+)"[^>]*>${label}</a>`,
  );
  return re.exec(html)?.[1]?.replaceAll("&amp;", "&");
}

/** The problems the error summary lists. */
export function problems(html: string): string[] {
  const summary = /<div id="filter-problems"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
  return [...summary.matchAll(/<a href="#filter-[a-z]+">([^<]*)<\/a>/g)].map((m) => m[1] ?? "");
}
