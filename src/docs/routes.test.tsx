import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { loadDocs, rewriteHref } from "./library.js";
import { createDocsRoutes } from "./routes.js";

// The viewer only reads: one app serves every request in this file.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** The viewer's page at `path`, asserted to answer 200. */
async function page(path: string): Promise<string> {
  const res = await t.client.get(path);
  expect(res.status).toBe(200);
  return res.text();
}

describe("documentation viewer", () => {
  it("lists the shipped guides, the README first as Getting started", async () => {
    const html = await page("/docs");
    expect(html).toContain('href="/docs/getting-started"');
    expect(html).toContain('href="/docs/security"');
    expect(html.indexOf("/docs/getting-started")).toBeLessThan(html.indexOf("/docs/security"));
    expect(html).toContain(">Getting started</a>");
    // Summaries are plain text: no Markdown link syntax leaks into the index.
    expect(html).not.toContain("(security.md)");
  });

  it("renders a guide with links between documents kept inside the viewer", async () => {
    const html = await page("/docs/accounts");
    expect(html).toContain("<h1>Accounts");
    expect(html).toContain('href="/docs/security"');
    expect(html).toContain('aria-current="page"');
  });

  it.each(["nope", "..%2Fpackage", "SECURITY.md", "a".repeat(80), "%00", "security.md"])(
    "answers 404 for an unknown or malformed page (%s)",
    async (page) => {
      expect((await t.client.get(`/docs/${page}`)).status).toBe(404);
    },
  );

  it("escapes raw HTML in a document instead of serving it (scripts, handlers, styles)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bastion-docs-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "evil.md"),
      '# Evil\n\n<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n<p style="color:red">x</p>\n\n[js](javascript:alert(1)) [ok](https://example.com)\n',
    );
    const [page] = loadDocs({ docsDir: dir });
    expect(page?.slug).toBe("evil");
    expect(page?.html).not.toMatch(/<script|<img|<p style/);
    expect(page?.html).toContain("&#60;script&#62;");
    expect(page?.html).not.toContain('href="javascript:');
    expect(page?.html).toContain('<a href="https://example.com" rel="noopener noreferrer">ok</a>');
    const app = new Hono().route(
      "/docs",
      createDocsRoutes({ docsDir: dir, readmePath: join(dir, "evil.md") }),
    );
    expect(app.routes.map((r) => r.path)).toEqual(["/docs", "/docs/:page"]);
  });

  it("code blocks are focusable, named groups, their code escaped (axe: scrollable-region-focusable)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bastion-docs-"));
    writeFileSync(
      join(dir, "code.md"),
      '# Code\n\n```sh\nnpm run cli -- migrate up\n```\n\n```\n<b onclick="x">not markup</b>\n```\n\n```weird"lang\nx\n```\n',
    );
    const [page] = loadDocs({ docsDir: dir });
    const blocks = page?.html.match(/<pre[^>]*>/g) ?? [];
    expect(blocks).toEqual([
      '<pre tabindex="0" role="group" aria-label="Shell commands">',
      '<pre tabindex="0" role="group" aria-label="Code example">',
      '<pre tabindex="0" role="group" aria-label="Code example">',
    ]);
    expect(page?.html).toContain('<code class="language-sh">npm run cli -- migrate up\n</code>');
    expect(page?.html).toContain("&#60;b onclick=&#34;x&#34;&#62;not markup&#60;/b&#62;");
    expect(page?.html).toContain('class="language-weird&#34;lang"');
    expect(page?.html).not.toMatch(/<b |onclick="/);
  });

  it("rewrites only safe link targets", () => {
    expect(rewriteHref("security.md#sessions")).toBe("/docs/security#sessions");
    expect(rewriteHref("./accounts.md")).toBe("/docs/accounts");
    expect(rewriteHref("#top")).toBe("#top");
    expect(rewriteHref("mailto:a@example.com")).toBe("mailto:a@example.com");
    expect(rewriteHref("javascript:alert(1)")).toBeUndefined();
    expect(rewriteHref("data:text/html,x")).toBeUndefined();
  });
});
