/**
 * The markup rule: no inline event handlers, no `style=` attributes, no
 * `<script>`/`<style>` without this response's nonce, no `javascript:` URLs,
 * anywhere. The strict CSP blocks all of these in the browser; this test
 * catches them at build time, on every GET page the app registers, so a page
 * that would break (or silently lose behaviour) in production never ships.
 */
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../harness.js";

/** GET routes not rendered here, each with its reason. A new exclusion needs one too. */
const EXCLUDED: Readonly<Record<string, string>> = {
  "/static/*": "static files (CSS/JS/images), not markup",
  "/favicon.ico": "an image",
  "/metrics": "Prometheus text behind a bearer token",
  "/healthz": "JSON liveness probe",
  "/readyz": "JSON readiness probe",
};
/** Param routes (`/x/:id`) need data to render; their feature tests render them with fixtures. */
const isParamRoute = (path: string) => path.includes(":");

interface MarkupViolation {
  rule:
    | "inline-handler"
    | "style-attribute"
    | "un-nonced-element"
    | "javascript-url"
    | "htmx-inline-code";
  excerpt: string;
}

/** Elements whose content is text, not markup: their bodies are skipped, not parsed as tags. */
const RAW_TEXT = new Set(["script", "style", "textarea", "title"]);
/** htmx attributes that evaluate JavaScript (`hx-on*` handlers, `js:` values in hx-vals/hx-vars). */
const HTMX_CODE_ATTRIBUTE = /^(hx-on|data-hx-on)/i;
const HTMX_JS_VALUE_ATTRIBUTE = /^(data-)?hx-(vals|vars)$/i;

/** Decodes the character references a browser would before reading a URL (`&#106;avascript:`). */
function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    )
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&colon;/gi, ":")
    .replace(/&tab;/gi, "\t")
    .replace(/&newline;/gi, "\n");
}

/** Browsers strip ASCII whitespace and controls inside a URL scheme: `java\tscript:` still runs. */
function isJavascriptUrl(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const compact = decodeEntities(value).replace(/[\u0000-\u0020]/g, "");
  return /^javascript:/i.test(compact);
}

/**
 * Scans HTML the way a browser tokenizer would (tags, quoted attributes,
 * comments, raw-text elements) and returns every breach of the markup rule.
 * Text that merely mentions `onclick=` or `<script>` (escaped) is not a breach.
 */
function findMarkupViolations(html: string, nonce: string): MarkupViolation[] {
  const violations: MarkupViolation[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt === -1) break;
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const nameMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(lt, lt + 64));
    if (!nameMatch?.[1]) {
      i = lt + 1; // closing tag, doctype or a stray "<"
      continue;
    }
    const tag = nameMatch[1].toLowerCase();
    const { attributes, end } = readAttributes(html, lt + nameMatch[0].length);
    const excerpt = html.slice(lt, Math.min(end, lt + 120));
    for (const [name, value] of attributes) {
      const lower = name.toLowerCase();
      if (/^on[a-z]+$/.test(lower)) violations.push({ rule: "inline-handler", excerpt });
      if (lower === "style") violations.push({ rule: "style-attribute", excerpt });
      if (value !== undefined && isJavascriptUrl(value))
        violations.push({ rule: "javascript-url", excerpt });
      if (HTMX_CODE_ATTRIBUTE.test(lower)) violations.push({ rule: "htmx-inline-code", excerpt });
      if (HTMX_JS_VALUE_ATTRIBUTE.test(lower) && /^\s*(js|javascript):/i.test(value ?? "")) {
        violations.push({ rule: "htmx-inline-code", excerpt });
      }
    }
    if ((tag === "script" || tag === "style") && attributes.get("nonce") !== nonce) {
      violations.push({ rule: "un-nonced-element", excerpt });
    }
    i = end;
    if (RAW_TEXT.has(tag)) {
      const close = html.toLowerCase().indexOf(`</${tag}`, i);
      i = close === -1 ? html.length : close;
    }
  }
  return violations;
}

/** Attributes of one start tag (lower-cased names; a later duplicate never hides the first). */
function readAttributes(html: string, from: number) {
  const attributes = new Map<string, string | undefined>();
  let i = from;
  const isSpace = (ch: string | undefined) => ch !== undefined && /[\s/]/.test(ch);
  while (i < html.length) {
    while (isSpace(html[i])) i++;
    if (i >= html.length || html[i] === ">") return { attributes, end: i + 1 };
    let name = "";
    while (i < html.length && !/[\s/>=]/.test(html[i] ?? "")) name += html[i++];
    while (html[i] === " " || html[i] === "\n" || html[i] === "\t") i++;
    let value: string | undefined;
    if (html[i] === "=") {
      i++;
      while (html[i] === " " || html[i] === "\n" || html[i] === "\t") i++;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        value = html.slice(i + 1, close === -1 ? html.length : close);
        i = close === -1 ? html.length : close + 1;
      } else {
        const start = i;
        while (i < html.length && !/[\s>]/.test(html[i] ?? "")) i++;
        value = html.slice(start, i);
      }
    }
    const key = name.toLowerCase();
    if (key && !attributes.has(key)) attributes.set(key, value);
    if (!name && value === undefined) i++; // never stall on unexpected input
  }
  return { attributes, end: html.length };
}

/** GET paths to render: every registered GET route minus the documented exclusions. */
function pagesToRender(app: Hono): { pages: string[]; skipped: string[] } {
  const gets = [...new Set(app.routes.filter((r) => r.method === "GET").map((r) => r.path))];
  const pages: string[] = [];
  const skipped: string[] = [];
  for (const path of gets) {
    if (path in EXCLUDED || isParamRoute(path)) skipped.push(path);
    else pages.push(path);
  }
  return { pages, skipped };
}

const STRICT_CSP = (nonce: string) =>
  `default-src 'self'; script-src 'nonce-${nonce}' 'strict-dynamic'; style-src 'self' 'nonce-${nonce}'; ` +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "report-uri /csp-report; report-to csp-endpoint";

function nonceFrom(policy: string | null): string {
  const nonce = policy?.match(/'nonce-([A-Za-z0-9_-]{22,})'/)?.[1];
  if (!nonce) throw new Error(`no nonce of >= 128 bits in CSP: ${policy}`);
  return nonce;
}

describe("findMarkupViolations (proof that the rule bites)", () => {
  const N = "n0nceN0nceN0nceN0nce12";
  const cases: Array<[string, MarkupViolation["rule"]]> = [
    [`<button onclick="steal()">x</button>`, "inline-handler"],
    [`<img src=x ONERROR=alert(1)>`, "inline-handler"],
    [`<svg><a onmouseover = 'x()'>x</a></svg>`, "inline-handler"],
    [`<div style="color:red">x</div>`, "style-attribute"],
    [`<p STYLE=display:none>x</p>`, "style-attribute"],
    [`<script>alert(1)</script>`, "un-nonced-element"],
    [`<script src="/static/app.js"></script>`, "un-nonced-element"],
    [`<script nonce="wrong">x()</script>`, "un-nonced-element"],
    [`<style>body{}</style>`, "un-nonced-element"],
    [`<a href="javascript:alert(1)">x</a>`, "javascript-url"],
    [`<a href=" JaVa&#x53;cript&colon;alert(1)">x</a>`, "javascript-url"],
    [`<iframe src="java\tscript:x"></iframe>`, "javascript-url"],
    [`<form action="javascript:void 0"></form>`, "javascript-url"],
    [`<button hx-on:click="x()">x</button>`, "htmx-inline-code"],
    [`<div hx-vals='js:{a: steal()}'></div>`, "htmx-inline-code"],
  ];
  for (const [html, rule] of cases) {
    it(`flags ${rule}: ${html}`, () => {
      expect(
        findMarkupViolations(`<!doctype html><body>${html}</body>`, N).map((v) => v.rule),
      ).toContain(rule);
    });
  }

  it("passes clean markup, escaped examples and text that only mentions the patterns", () => {
    const html = `<!doctype html><html><head><title>on=1 &lt;script&gt;</title>
      <meta name="description" content="ready only=now, on load = fine">
      <link rel="stylesheet" href="/static/app.css?v=1">
      <script nonce="${N}" src="/static/vendor/htmx.min.js"></script>
      <style nonce="${N}">.a{color:red}</style>
      <script nonce="${N}">if (a < b && "<style>") {}</script></head>
      <body hx-headers='{"X-CSRF-Token":"t"}' data-theme="dark">
      <!-- <script>old()</script> -->
      <pre><code>&lt;button onclick="x()"&gt; style="a"</code></pre>
      <a href="/docs?q=javascript:">docs</a><textarea><script>not a tag</script></textarea>
      <div hx-vals='{"a":1}'></div></body></html>`;
    expect(findMarkupViolations(html, N)).toEqual([]);
  });
});

for (const [label, env] of [
  [
    "production (strict CSP)",
    {
      NODE_ENV: "production",
      APP_URL: "https://app.example",
      SECRET_KEY: "markup-rule-secret-0123456789-abcdefghijklmn",
      MIGRATE_ON_START: "true",
    },
  ],
  ["development (relaxed CSP)", { NODE_ENV: "development" }],
] as const) {
  describe(`markup rule on every GET page: ${label}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env });
    });
    afterAll(async () => {
      await t?.close();
    });

    it("lists its exclusions, each with a reason", () => {
      const { pages, skipped } = pagesToRender(t.app);
      expect(pages).toContain("/");
      for (const path of skipped) expect(path in EXCLUDED || isParamRoute(path), path).toBe(true);
    });

    it("renders every page (full and htmx) without a breach, under this response's CSP", async () => {
      const { pages } = pagesToRender(t.app);
      let htmlPages = 0;
      for (const path of pages) {
        for (const headers of [{}, { "HX-Request": "true" }] as Record<string, string>[]) {
          const res = await t.newClient().get(path, headers);
          const where = `${path} ${JSON.stringify(headers)} -> ${res.status}`;
          const policy = res.headers.get("Content-Security-Policy");
          const nonce = nonceFrom(policy);
          if (env.NODE_ENV === "production") expect(policy, where).toBe(STRICT_CSP(nonce));
          else expect(policy, where).not.toMatch(/unsafe-(inline|eval|hashes)/);
          if (!(res.headers.get("Content-Type") ?? "").startsWith("text/html")) continue;
          htmlPages++;
          expect(findMarkupViolations(await res.text(), nonce), where).toEqual([]);
        }
      }
      expect(htmlPages).toBeGreaterThan(0);
    });

    it("holds for error pages too (404)", async () => {
      const res = await t.newClient().get("/no-such-page-for-the-markup-rule");
      expect(res.status).toBe(404);
      const nonce = nonceFrom(res.headers.get("Content-Security-Policy"));
      expect(findMarkupViolations(await res.text(), nonce)).toEqual([]);
    });
  });
}
