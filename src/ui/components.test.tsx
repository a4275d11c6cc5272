import { describe, expect, it } from "vitest";
import { Alert } from "./components/alert.js";
import { Button, ButtonLink } from "./components/button.js";
import { Card } from "./components/card.js";
import { Field } from "./components/field.js";
import { Form } from "./components/form.js";
import { PageHeader } from "./components/page-header.js";

const render = async (node: unknown) => String(await (node as { toString(): unknown }).toString());

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
    const html = await render(
      <Form action="/auth/login" csrfToken="tok">
        <Button>Sign in</Button>
      </Form>,
    );
    expect(html).toMatch(/^<form class="form" method="post" action="\/auth\/login">/);
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok"/>');
    expect(html).toContain('<button type="submit" class="btn btn--primary">Sign in</button>');
  });

  it("GET forms never put the token in the URL", async () => {
    const html = await render(
      <Form action="/search" method="get" csrfToken="tok">
        <Field name="q" label="Search" />
      </Form>,
    );
    expect(html).not.toContain("_csrf");
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
