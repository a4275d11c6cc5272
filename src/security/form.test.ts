import { Hono } from "hono";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createErrorHandler } from "../errors.js";
import { systemRandom } from "../lib/random.js";
import { type ParseFormOptions, parseForm } from "./form.js";
import { emailField, nameField, normalizeEmail } from "./form-fields.js";

const schema = z.object({
  email: emailField,
  first_name: nameField,
  password: z.string().min(12, "Use at least 12 characters."),
  tags: z.array(z.string()).optional(),
});

function appWith(options: ParseFormOptions = {}) {
  const app = new Hono();
  app.post("/form", async (c) => c.json(await parseForm(c, schema, options)));
  // The handler may read the body again after parseForm (and parseForm after the CSRF guard).
  app.post("/twice", async (c) => {
    const before = await c.req.parseBody();
    const result = await parseForm(c, schema, options);
    return c.json({ before, result, text: await c.req.text() });
  });
  app.onError(
    createErrorHandler({
      logger: pino({ level: "silent" }),
      random: systemRandom(),
      isProduction: true,
      renderPage: (c, view) => c.html(view.message, view.status),
    }),
  );
  return app;
}

const post = (app: Hono, body: RequestInit["body"], contentType?: string, path = "/form") =>
  app.request(path, {
    method: "POST",
    body,
    headers: contentType ? { "Content-Type": contentType } : {},
  });
const URLENCODED = "application/x-www-form-urlencoded";
const valid = "email=Ada%40Example.com&first_name=%20Ada%20&password=correct+horse+battery";

describe("parseForm", () => {
  it("returns typed data: trimmed, _csrf stripped", async () => {
    const res = await post(appWith(), `${valid}&_csrf=tok`, URLENCODED);
    expect(await res.json()).toEqual({
      ok: true,
      data: { email: "Ada@Example.com", first_name: "Ada", password: "correct horse battery" },
    });
  });

  it("reads multipart forms the same way", async () => {
    const body = new FormData();
    body.set("email", "ada@example.com");
    body.set("first_name", "Ada");
    body.set("password", "correct horse battery");
    expect(await (await post(appWith(), body)).json()).toMatchObject({ ok: true });
  });

  it("returns field errors and the values to refill, never echoing passwords or _csrf", async () => {
    const res = await post(
      appWith(),
      "email=nope&first_name=&password=short&_csrf=tok",
      URLENCODED,
    );
    expect(await res.json()).toEqual({
      ok: false,
      errors: {
        email: "Enter a valid email address, like name@example.com.",
        first_name: "This field is required.",
        password: "Use at least 12 characters.",
      },
      values: { email: "nope", first_name: "" },
    });
  });

  it("refuses to pick a copy of a repeated field (parameter pollution)", async () => {
    const res = await post(appWith(), `${valid}&email=evil%40example.com`, URLENCODED);
    expect(await res.json()).toMatchObject({
      ok: false,
      errors: { email: "Send this field once." },
    });
  });

  it("collects fields declared repeatable", async () => {
    const res = await post(appWith({ repeatable: ["tags"] }), `${valid}&tags=a&tags=b`, URLENCODED);
    expect(await res.json()).toMatchObject({ ok: true, data: { tags: ["a", "b"] } });
  });

  it("rejects invalid UTF-8 with a clear message instead of storing U+FFFD", async () => {
    const res = await post(appWith(), `${valid.replace("Ada%20", "Ad%FF%20")}`, URLENCODED);
    expect(await res.json()).toMatchObject({
      ok: false,
      errors: { first_name: "Contains characters that are not valid text (UTF-8)." },
    });
    const raw = new Uint8Array([...new TextEncoder().encode(`${valid}&x=`), 0xc3, 0x28]);
    expect(await (await post(appWith(), raw, URLENCODED)).json()).toMatchObject({
      ok: false,
      errors: { _form: "Contains characters that are not valid text (UTF-8)." },
    });
  });

  it("blames the multipart field that carries invalid UTF-8", async () => {
    const boundary = "b0undary";
    const part = (name: string, value: number[]) => [
      ...new TextEncoder().encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`,
      ),
      ...value,
      13,
      10,
    ];
    const body = new Uint8Array([
      ...part("email", [...new TextEncoder().encode("ada@example.com")]),
      ...part("first_name", [0x41, 0xff, 0x41]),
      ...new TextEncoder().encode(`--${boundary}--\r\n`),
    ]);
    const res = await post(appWith(), body, `multipart/form-data; boundary=${boundary}`);
    expect(await res.json()).toMatchObject({
      ok: false,
      errors: { first_name: expect.stringMatching(/UTF-8/) },
    });
  });

  it("rejects NUL bytes, oversize values, file uploads and too many fields", async () => {
    const nul = await post(
      appWith(),
      `${valid}&first_name=a%00b`.replace("first_name=%20Ada%20&", ""),
      URLENCODED,
    );
    expect(await nul.json()).toMatchObject({
      errors: { first_name: "Contains characters that are not allowed." },
    });
    const long = await post(
      appWith({ maxFieldChars: 25 }),
      valid.replace("%20Ada%20", "A".repeat(26)),
      URLENCODED,
    );
    expect(await long.json()).toMatchObject({
      errors: { first_name: "Must be at most 25 characters." },
    });
    const file = new FormData();
    file.set("first_name", new Blob(["x"]), "x.txt");
    expect(await (await post(appWith(), file)).json()).toMatchObject({
      errors: { first_name: "File uploads are not accepted here." },
    });
    const many = await post(appWith({ maxFields: 3 }), `${valid}&a=1&b=2`, URLENCODED);
    expect(await many.json()).toMatchObject({ errors: { _form: "The form has too many fields." } });
  });

  it("treats __proto__ and constructor as ordinary (unknown) fields", async () => {
    const res = await post(appWith(), `${valid}&__proto__=x&constructor=y&toString=z`, URLENCODED);
    expect(await res.json()).toMatchObject({ ok: true, data: { first_name: "Ada" } });
    const bad = await post(appWith(), "constructor=1&constructor=2&email=x", URLENCODED);
    expect(await bad.json()).toMatchObject({
      ok: false,
      errors: { constructor: "Send this field once." },
    });
  });

  it("turns a malformed multipart body into a form error, not a 500", async () => {
    const res = await post(appWith(), "garbage", "multipart/form-data; boundary=nope");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: false, errors: { _form: expect.any(String) } });
  });

  it("answers 415 for bodies that are not forms (a broken client, not a typo)", async () => {
    for (const type of ["application/json", "text/plain", undefined]) {
      const res = await post(appWith(), "{}", type);
      expect(res.status).toBe(415);
    }
  });

  it("leaves the body readable before and after", async () => {
    const res = await post(appWith(), valid, URLENCODED, "/twice");
    const json = (await res.json()) as {
      before: Record<string, string>;
      result: { ok: boolean };
      text: string;
    };
    expect(json.before.first_name).toBe(" Ada ");
    expect(json.result.ok).toBe(true);
    expect(json.text).toBe(valid);
  });
});

describe("form fields", () => {
  it.each([
    "ada@example.com",
    "Ada.Lovelace+tag@mail.example.co.uk",
    "o'brien@example.ie",
    " ada@example.com ",
  ])("emailField accepts %j", (value) => expect(emailField.safeParse(value).success).toBe(true));

  it.each([
    "",
    "ada",
    "ada@",
    "@example.com",
    "ada@example",
    "ada..x@example.com",
    ".ada@example.com",
    "ada@-example.com",
    "ada@exa mple.com",
    "ada@example.com\nBcc: x@example.com",
    '"ada"@example.com',
    "ädä@example.com",
    `${"a".repeat(65)}@example.com`,
    `a@${"b".repeat(250)}.com`,
  ])("emailField rejects %j", (value) => expect(emailField.safeParse(value).success).toBe(false));

  it("normalizeEmail gives the comparison key", () => {
    expect(normalizeEmail(" Ada@Example.COM ")).toBe("ada@example.com");
  });

  it("nameField trims, caps at 100 and refuses control and bidi-override characters", () => {
    expect(nameField.parse("  Zoë  ")).toBe("Zoë");
    expect(nameField.safeParse("x".repeat(100)).success).toBe(true);
    expect(nameField.safeParse("x".repeat(101)).success).toBe(false);
    for (const bad of ["Ada\u0000", "Ada\nLovelace", "Ada\u202Eecalevol", "A\u2066b", "   "]) {
      expect(nameField.safeParse(bad).success).toBe(false);
    }
    expect(nameField.safeParse("می\u200Cخواهم").success).toBe(true); // ZWNJ is ordinary Persian text
  });
});
