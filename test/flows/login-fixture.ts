import { expect } from "vitest";
import type { User, UserRole, UserStatus } from "../../src/users/user.js";
import type { TestApp, TestClient } from "../harness.js";
import { registerTestSecret } from "../secrets.js";

/** Shared by the login, session and user-delete flows. */
export const ORIGIN = "http://localhost:8000";
export const PASSWORD = "correct horse battery staple";
// Audit rows must never hold it (test/secrets.ts scans them at every app's close).
registerTestSecret(PASSWORD);

export interface SeedOptions {
  email?: string;
  password?: string;
  verified?: boolean;
  status?: UserStatus;
  role?: UserRole;
  firstName?: string;
  lastName?: string;
}

/** Inserts a user through the real repository and hasher (no HTTP registration needed). */
export async function seedUser(t: TestApp, options: SeedOptions = {}): Promise<User> {
  const result = await t.deps.users.create({
    email: options.email ?? "alice@example.com",
    firstName: options.firstName ?? "Alice",
    lastName: options.lastName ?? "Liddell",
    passwordHash: await t.deps.passwords.hash(registered(options.password ?? PASSWORD)),
    role: options.role,
    status: options.status,
    emailVerifiedAt: options.verified === false ? null : t.clock.now(),
  });
  if (!result.ok) throw new Error(`seedUser: ${result.reason}`);
  return result.user;
}

/** The `_csrf` value of the first form on a page, as a browser would submit it. */
export async function csrfToken(client: TestClient, path = "/auth/login"): Promise<string> {
  const res = await client.get(path);
  const html = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on ${path} (status ${res.status})`);
  return token;
}

/** Loads the login page, then submits it: the full browser round trip. */
export async function login(
  client: TestClient,
  form: { email?: string; password?: string; next?: string } = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const token = await csrfToken(client);
  const body: Record<string, string> = {
    _csrf: token,
    email: form.email ?? "alice@example.com",
    password: form.password ?? PASSWORD,
  };
  if (form.next !== undefined) body.next = form.next;
  return client.post("/auth/login", body, { Origin: ORIGIN, ...headers });
}

/** Posts the logout form found on the current page (the header carries one). */
export async function logout(client: TestClient): Promise<Response> {
  const token = await csrfToken(client, "/dashboard");
  return client.post("/auth/logout", { _csrf: token }, { Origin: ORIGIN });
}

/** Strips what legitimately differs per render (nonces, masked CSRF tokens) so two pages can be compared. */
export function normalisePage(html: string, replace: Record<string, string> = {}): string {
  let out = html
    .replace(/nonce="[^"]*"/g, 'nonce=""')
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""')
    .replace(/hx-headers="[^"]*"/g, 'hx-headers=""');
  for (const [from, to] of Object.entries(replace)) out = out.split(from).join(to);
  return out;
}

export function sessionCookieName(client: TestClient): string | undefined {
  return [...client.cookies.keys()].find((k) => k === "session" || k === "__Host-session");
}

export async function userRow(t: TestApp, id: string) {
  const user = await t.deps.users.findById(id);
  expect(user).toBeDefined();
  return user as User;
}

function registered(password: string): string {
  registerTestSecret(password);
  return password;
}
