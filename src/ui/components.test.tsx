import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { useRequestContext } from "hono/jsx-renderer";
import { describe, expect, it } from "vitest";
import { createUiTestApp } from "../../test/ui-test-app.js";
// Type-only: brings the CSRF guard's `csrfToken` context variable into view.
import type {} from "../security/csrf.js";
import { Alert } from "./components/alert.js";
import { Button, ButtonLink } from "./components/button.js";
import { Card } from "./components/card.js";
import { Field } from "./components/field.js";
import { Form } from "./components/form.js";
import { PageHeader } from "./components/page-header.js";
import { renderPage } from "./layout.js";
import { RequestContext } from "./request-context.js";

const render = async (node: unknown) => String(await (node as { toString(): unknown }).toString());

/** Renders `node` for a request whose CSRF guard issued `csrfToken`, as renderPage does. */
const renderInRequest = async (csrfToken: string, node: () => Child) => {
  const app = new Hono();
  app.get("/", (c) => {
    c.set("csrfToken", csrfToken);
    return c.html(<RequestContext.Provider value={c}>{node()}</RequestContext.Provider>);
  });
  return (await app.request("/")).text();
};

describe("Field", () => {
  it("links label, hint and error to the input for assistive technology", async () => {
    const html = await render(
      <Field
        name="email"
        label="Email"
        type="email"
        required
        hint="We never share it."
        error="Enter an email address."
      />,
    );
    expect(html).toContain('<label class="field__label" for="field-email">Email</label>');
    expect(html).toContain('id="field-email"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('aria-describedby="field-email-hint field-email-error"');
    expect(html).toContain('<p class="field__hint" id="field-email-hint">We never share it.</p>');
    expect(html).toMatch(
      /<p class="field__error" id="field-email-error">.*Enter an email address\./,
    );
    expect(html).toContain('required=""');
  });

  it("without hint or error carries no dangling aria references, and marks optional fields", async () => {
    const html = await render(<Field name="nickname" label="Nickname" value="ada" />);
    expect(html).not.toContain("aria-describedby");
    expect(html).not.toContain("aria-invalid");
    expect(html).toContain('value="ada"');
    expect(html).toContain("(optional)");
  });

  it("never echoes a password back into the page", async () => {
    const html = await render(
      <Field name="password" label="Password" type="password" value="hunter2" required />,
    );
    expect(html).not.toContain("hunter2");
  });
});

describe("Form", () => {
  it("POST forms carry the _csrf field when given a token", async () => {
    const html = await renderInRequest("tok", () => (
      <Form action="/auth/login">
        <Button>Sign in</Button>
      </Form>
    ));
    expect(html).toMatch(/^<form class="form" method="post" action="\/auth\/login">/);
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok"/>');
    expect(html).toContain('<button type="submit" class="btn btn--primary">Sign in</button>');
  });

  it("GET forms never put the token in the URL", async () => {
    const html = await renderInRequest("tok", () => (
      <Form action="/search" method="get">
        <Field name="q" label="Search" />
      </Form>
    ));
    expect(html).not.toContain("_csrf");
  });

  it("reads the token of the request it is rendered for: two requests, two tokens", async () => {
    const form = () => <Form action="/account">x</Form>;
    const [a, b] = await Promise.all([
      renderInRequest("tok-a", form),
      renderInRequest("tok-b", form),
    ]);
    expect(a).toContain('name="_csrf" value="tok-a"');
    expect(b).toContain('name="_csrf" value="tok-b"');
  });

  it("threat: a view rendered outside any request gets no token, so the CSRF guard refuses its form (fails closed)", async () => {
    const html = await render(<Form action="/account">x</Form>);
    expect(html).toMatch(/^<form class="form" method="post" action="\/account">x<\/form>$/);
  });

  it("every form of a page rendered by renderPage carries the guard's token, with no prop passed", async () => {
    const { app } = createUiTestApp();
    // hono's own useRequestContext works too: renderPage renders inside its provider.
    const RequestPath = () => <span class="path">{useRequestContext().req.path}</span>;
    app.get("/test/form", (c) => {
      c.set("csrfToken", "page-token");
      return renderPage(c, {
        title: "Form",
        children: (
          <Form action="/account">
            <RequestPath />
          </Form>
        ),
      });
    });
    const html = await (await app.request("/test/form")).text();
    expect(html).toContain(
      '<form class="form" method="post" action="/account"><input type="hidden" name="_csrf" value="page-token"/><span class="path">/test/form</span></form>',
    );
  });
});

describe("small components", () => {
  it("render their variants", async () => {
    expect(
      await render(
        <ButtonLink href="/x" variant="danger" size="lg" block>
          Go
        </ButtonLink>,
      ),
    ).toBe('<a href="/x" class="btn btn--danger btn--lg btn--block">Go</a>');
    expect(
      await render(
        <Button type="button" variant="ghost" size="sm">
          x
        </Button>,
      ),
    ).toContain('class="btn btn--ghost btn--sm"');
    expect(
      await render(
        <Alert kind="warning" title="Heads up">
          Body
        </Alert>,
      ),
    ).toContain('class="alert alert--warning" role="status"');
    const card = await render(
      <Card title="Sessions" level={3} footer="f">
        b
      </Card>,
    );
    expect(card).toContain('<h3 class="card__title">Sessions</h3>');
    expect(card).toContain('<div class="card__footer">f</div>');
    const header = await render(
      <PageHeader title="Users" eyebrow="Admin" description="All users" actions="a" />,
    );
    expect(header).toContain('<h1 class="page-header__title">Users</h1>');
    expect(header).toContain('<div class="page-header__actions">a</div>');
  });
});
