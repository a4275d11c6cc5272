import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Marked, type Tokens } from "marked";

export interface DocPage {
  /** URL segment: /docs/<slug>. */
  slug: string;
  title: string;
  summary: string;
  html: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** What a screen reader announces when a code block takes focus. */
const CODE_LABELS: Readonly<Record<string, string>> = {
  sh: "Shell commands",
  bash: "Shell commands",
  shell: "Shell commands",
  console: "Shell commands",
  ts: "TypeScript code",
  typescript: "TypeScript code",
  js: "JavaScript code",
  json: "JSON",
  sql: "SQL",
  env: "Environment variables",
  dotenv: "Environment variables",
};

export function codeBlockLabel(lang: string | undefined): string {
  return (lang && CODE_LABELS[lang.toLowerCase()]) || "Code example";
}

/**
 * Markdown to HTML for pages we ship. Raw HTML in a document is escaped, not
 * passed through: the docs are ours, but the strict CSP and the markup rule
 * (no inline handlers, styles or scripts) must hold for every page we serve.
 * Links between documents (`security.md#x`) become viewer links (`/docs/security#x`).
 */
function createRenderer(): Marked {
  return new Marked({
    gfm: true,
    renderer: {
      html(token: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(token.text);
      },
      // A long line scrolls the block sideways: keyboard users reach the scroll by
      // focusing it (tabindex), and hear what it is (a named group, not a landmark,
      // so a page of examples does not fill the landmark list).
      code(token: Tokens.Code) {
        const lang = /^\S+/.exec(token.lang ?? "")?.[0];
        const body = `${token.text.replace(/\n$/, "")}\n`;
        const text = token.escaped ? body : escapeHtml(body);
        const langClass = lang ? ` class="language-${escapeHtml(lang)}"` : "";
        const label = escapeHtml(codeBlockLabel(lang));
        return `<pre tabindex="0" role="group" aria-label="${label}"><code${langClass}>${text}</code></pre>\n`;
      },
      link(
        this: { parser: { parseInline(tokens: Tokens.Generic[]): string } },
        token: Tokens.Link,
      ) {
        const text = this.parser.parseInline(token.tokens);
        const href = rewriteHref(token.href);
        if (href === undefined) return text;
        const external = /^https?:\/\//i.test(href);
        return `<a href="${escapeHtml(href)}"${external ? ' rel="noopener noreferrer"' : ""}>${text}</a>`;
      },
    },
  });
}

/** Doc-to-doc links stay in the viewer; only http(s), mailto and in-page anchors are kept otherwise. */
export function rewriteHref(href: string): string | undefined {
  const doc = /^(?:\.\/)?([a-z0-9-]+)\.md(#[\w-]*)?$/i.exec(href);
  if (doc) return `/docs/${doc[1]?.toLowerCase()}${doc[2] ?? ""}`;
  if (/^(https?:|mailto:)/i.test(href) || href.startsWith("#") || href.startsWith("/")) return href;
  return undefined;
}

function firstParagraph(markdown: string): string {
  for (const block of markdown.split(/\n\s*\n/)) {
    const text = block.trim();
    if (text && !text.startsWith("#") && !text.startsWith("|") && !text.startsWith("```")) {
      const plain = text
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/[`*_]/g, "")
        .replace(/\s+/g, " ");
      if (plain.length <= 200) return plain;
      const cut = plain.slice(0, 200);
      return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), 120))}…`;
    }
  }
  return "";
}

/**
 * The built-in documentation: README.md as "getting-started" plus every
 * docs/*.md, read once at start-up so a request never touches the disk.
 */
export function loadDocs(options: { docsDir: string; readmePath?: string }): DocPage[] {
  const marked = createRenderer();
  const sources: Array<{ slug: string; markdown: string }> = [];
  if (options.readmePath) {
    // The README opens with the product name; in the viewer it is the getting-started guide.
    const readme = readFileSync(options.readmePath, "utf8").replace(
      /^#\s+.+$/m,
      "# Getting started",
    );
    sources.push({ slug: "getting-started", markdown: readme });
  }
  for (const file of readdirSync(options.docsDir).sort()) {
    const slug = file.replace(/\.md$/, "").toLowerCase();
    if (!file.endsWith(".md") || !SLUG.test(slug)) continue;
    sources.push({ slug, markdown: readFileSync(join(options.docsDir, file), "utf8") });
  }
  return sources.map(({ slug, markdown }) => {
    const heading = /^#\s+(.+)$/m.exec(markdown);
    const body = heading ? markdown.replace(heading[0], "") : markdown;
    return {
      slug,
      title: heading?.[1]?.trim() ?? slug,
      summary: firstParagraph(body),
      html: marked.parse(body, { async: false }),
    };
  });
}

export function isDocSlug(value: string): boolean {
  return SLUG.test(value);
}
