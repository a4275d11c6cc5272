import { expect } from "vitest";
import type { User } from "../../src/users/user.js";
import { csrfFrom, ORIGIN } from "../forms.js";
import type { TestApp, TestClient } from "../harness.js";
import { login, PASSWORD, seedUser } from "./login-fixture.js";
import { confirmSudo } from "./two-factor-fixture.js";

/** Shared by the flows of /admin/users/:id: an admin in a browser, and a person's round trips. */

export const ADMIN_EMAIL = "root@example.com";

/** A seeded admin signed in on a fresh client, inside the sudo window unless `sudo: false`. */
export async function signInAdmin(
  t: TestApp,
  options: { email?: string; sudo?: boolean; seed?: boolean } = {},
): Promise<{ admin: User | undefined; client: TestClient }> {
  const email = options.email ?? ADMIN_EMAIL;
  const admin =
    options.seed === false
      ? undefined
      : await seedUser(t, { email, role: "admin", firstName: "Root", lastName: "Admin" });
  const client = t.newClient();
  expect((await login(client, { email })).status).toBe(303);
  if (options.sudo ?? true) await confirmSudo(client, PASSWORD);
  return { admin, client };
}

/** A signed-in plain user on a fresh client (the target of the actions). */
export async function signInUser(t: TestApp, email: string): Promise<TestClient> {
  const client = t.newClient();
  expect((await login(client, { email })).status).toBe(303);
  return client;
}

/**
 * The person's round trip: open the action's confirm page (which must offer
 * the Confirm form), then submit it with `fields`.
 */
export async function confirmAndPost(
  client: TestClient,
  confirmPath: string,
  fields: Record<string, string> = {},
): Promise<Response> {
  const page = await client.get(confirmPath);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form[^>]*id="confirm-form"[^>]*action="([^"]+)"/.exec(html)?.[1];
  expect(action, `no Confirm form on ${confirmPath}`).toBeDefined();
  return client.post(action as string, { _csrf: csrfFrom(html), ...fields }, { Origin: ORIGIN });
}

/** A POST with a valid token taken from the user's page (no confirm page opened). */
export async function postAction(
  client: TestClient,
  userId: string,
  path: string,
  fields: Record<string, string> = {},
): Promise<Response> {
  const page = await client.get(`/admin/users/${userId}`);
  const token = csrfFrom(await page.text());
  return client.post(
    `/admin/users/${userId}/${path}`,
    { _csrf: token, ...fields },
    { Origin: ORIGIN },
  );
}

/** Follows a 303 and returns the page it leads to (with the flash message). */
export async function follow(client: TestClient, res: Response): Promise<string> {
  expect(res.status).toBe(303);
  const location = res.headers.get("Location");
  expect(location).toBeTruthy();
  const page = await client.get(location as string);
  expect(page.status).toBe(200);
  return page.text();
}
