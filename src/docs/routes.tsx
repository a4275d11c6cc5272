import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { raw } from "hono/html";
import { AppError } from "../errors.js";
import { PageHeader } from "../ui/components/page-header.js";
import { renderPage } from "../ui/layout.js";
import { type DocPage, isDocSlug, loadDocs } from "./library.js";

const DOCS_DIR = fileURLToPath(new URL("../../docs/", import.meta.url));
const README = fileURLToPath(new URL("../../README.md", import.meta.url));

function DocsNav(props: { pages: DocPage[]; current?: string }) {
  return (
    <nav class="docs-nav" aria-label="Documentation">
      <ul>
        {props.pages.map((page) => (
          <li>
            <a
              href={`/docs/${page.slug}`}
              aria-current={page.slug === props.current ? "page" : undefined}
            >
              {page.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** GET / and /:page, mounted at /docs: the guides that ship with the code, rendered from Markdown. */
export function createDocsRoutes(
  options: { docsDir?: string; readmePath?: string; eager?: boolean } = {},
) {
  // Parsing every page costs 45-90 ms. Production pays it when the app is built,
  // so no request ever reads the disk; elsewhere (development, and the test
  // suite, which builds an app per test and rarely opens /docs) the first
  // request to /docs pays it, once per app.
  let library: { pages: DocPage[]; bySlug: Map<string, DocPage> } | undefined;
  const load = () => {
    if (!library) {
      const pages = loadDocs({
        docsDir: options.docsDir ?? DOCS_DIR,
        readmePath: options.readmePath ?? README,
      });
      library = { pages, bySlug: new Map(pages.map((page) => [page.slug, page])) };
    }
    return library;
  };
  if (options.eager) load();
  const app = new Hono();

  app.get("/", (c) => {
    const { pages } = load();
    return renderPage(c, {
      title: "Documentation",
      description: "Guides and design notes for Bastion, served by the app itself.",
      children: (
        <>
          <PageHeader
            eyebrow="Documentation"
            title="Guides and design notes"
            description="Served by the app itself, from the same commit as the code they describe."
          />
          <ul class="docs-index">
            {pages.map((page) => (
              <li class="card">
                <h2>
                  <a href={`/docs/${page.slug}`}>{page.title}</a>
                </h2>
                <p>{page.summary}</p>
              </li>
            ))}
          </ul>
        </>
      ),
    });
  });

  app.get("/:page", (c) => {
    const slug = c.req.param("page");
    const { pages, bySlug } = load();
    const page = isDocSlug(slug) ? bySlug.get(slug) : undefined;
    if (!page) throw new AppError("NOT_FOUND");
    return renderPage(c, {
      title: page.title,
      description: page.summary,
      children: (
        <div class="docs-layout">
          <DocsNav pages={pages} current={page.slug} />
          <article class="prose">
            <h1>{page.title}</h1>
            {raw(page.html)}
          </article>
        </div>
      ),
    });
  });

  return app;
}
