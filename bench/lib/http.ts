/**
 * HTTP from the bench side: node:http with a keep-alive agent (lower and
 * steadier overhead than fetch, so per-request timings are the server's),
 * a cookie jar, and the browser round trips the app expects (login form ->
 * CSRF token -> POST with Origin).
 */
import http from "node:http";
import { BENCH_EMAIL, BENCH_PASSWORD } from "./app.js";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() from just before the request was written to the last byte of the body. */
  ms: number;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function keepAliveAgent(maxSockets = 64): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

export function request(base: string, spec: RequestSpec, agent?: http.Agent): Promise<Answer> {
  return new Promise((done, fail) => {
    const url = new URL(spec.path, base);
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body !== undefined) headers["content-length"] = String(Buffer.byteLength(spec.body));
    const started = performance.now();
    const req = http.request(
      url,
      { method: spec.method ?? "GET", headers, agent: agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          }),
        );
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(spec.body);
  });
}

/** Cookies by name, as a browser would keep them (attributes ignored: one host, one path). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  absorb(answer: Pick<Answer, "headers">): void {
    for (const line of answer.headers["set-cookie"] ?? []) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export const form = (fields: Record<string, string>): string =>
  new URLSearchParams(fields).toString();

export const FORM_TYPE = "application/x-www-form-urlencoded";

/** The `_csrf` value of the first form on a page. */
export function csrfField(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** An anonymous visitor's pre-session CSRF cookie and a token for it, from GET `path`. */
export async function anonymousCsrf(
  base: string,
  path = "/auth/login",
): Promise<{ cookie: string; token: string }> {
  const jar = new CookieJar();
  const page = await request(base, { path });
  jar.absorb(page);
  const token = csrfField(page.body);
  if (page.status !== 200 || !token) {
    throw new Error(`GET ${path}: no CSRF token (status ${page.status})`);
  }
  return { cookie: jar.header(), token };
}

/** The form body of a login, and the headers a browser on the app's page would send with it. */
export function loginRequest(
  base: string,
  csrf: { cookie: string; token: string },
  credentials: { email: string; password: string },
): RequestSpec {
  return {
    method: "POST",
    path: "/auth/login",
    headers: { "content-type": FORM_TYPE, cookie: csrf.cookie, origin: base },
    body: form({ _csrf: csrf.token, ...credentials }),
  };
}

/** A successful password login: 303 to the dashboard (no second factor is set up). */
export function loginSucceeded(status: number, location: string | undefined): boolean {
  return status === 303 && location === "/dashboard";
}

/** Signs the bench user in through the login form; returns the Cookie header of the session. */
export async function signIn(base: string): Promise<string> {
  const csrf = await anonymousCsrf(base);
  const jar = new CookieJar();
  const answer = await request(
    base,
    loginRequest(base, csrf, { email: BENCH_EMAIL, password: BENCH_PASSWORD }),
  );
  jar.absorb(answer);
  const location = answer.headers.location;
  if (!loginSucceeded(answer.status, location)) {
    throw new Error(
      `signing in at ${base}: status ${answer.status}, location ${location}: ${answer.body.slice(0, 300)}`,
    );
  }
  return jar.header();
}

/** Only a signed-in dashboard shows this: the user's greeting in the page header. */
export const DASHBOARD_MARKER = "Welcome, Ada";
