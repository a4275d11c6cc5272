import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../errors.js";

export type FormErrors = Record<string, string>;

export type FormResult<T> =
  | { ok: true; data: T }
  /** `values` echoes what was sent (minus `_csrf` and password fields) so the view can refill the form. */
  | { ok: false; errors: FormErrors; values: Record<string, string> };

export interface ParseFormOptions {
  /** Longest accepted value of one field, in characters. Default 10,000. */
  maxFieldChars?: number;
  /** Most fields in one body. Default 100. */
  maxFields?: number;
  /** Fields that may repeat (checkbox groups): handed to the schema as string arrays. */
  repeatable?: readonly string[];
}

/** Key for errors that belong to the whole form rather than one field. */
export const FORM_ERROR = "_form";

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);
const NOT_ECHOED = /^_csrf$|password/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

type Entry =
  | { name: string; value: string | File }
  | { name: string | undefined; invalidText: true };

/**
 * Parses an HTML form body and validates it with a zod schema. Expected
 * problems come back as values, never as a 500:
 * - a body that is not urlencoded or multipart throws AppError
 *   UNSUPPORTED_MEDIA_TYPE (415, rendered by onError): that is a broken client,
 *   not something a person typing into the form can fix;
 * - a malformed body (bad multipart, too many fields) -> `errors._form`;
 * - invalid UTF-8, a NUL byte, a file upload, an oversize value, or a field
 *   sent more than once -> an error on that field. A repeated field is never
 *   resolved by picking one copy: code that reads the first and code that
 *   reads the last would disagree (parameter pollution);
 * - then the schema's own messages, first issue per field.
 *
 * The body is read through Hono's cache (`c.req.arrayBuffer()`), so the CSRF
 * guard may have read it first and the handler may read it again.
 */
export async function parseForm<S extends z.ZodType>(
  c: Context,
  schema: S,
  options: ParseFormOptions = {},
): Promise<FormResult<z.output<S>>> {
  const maxFieldChars = options.maxFieldChars ?? 10_000;
  const maxFields = options.maxFields ?? 100;
  const repeatable = new Set(options.repeatable ?? []);
  const contentType = c.req.header("Content-Type") ?? "";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!FORM_TYPES.has(mediaType)) throw new AppError("UNSUPPORTED_MEDIA_TYPE");

  // Null-prototype records: a field named "__proto__" or "constructor" is just a field.
  const errors: FormErrors = Object.create(null);
  const values: Record<string, string> = Object.create(null);
  const buffer = await c.req.arrayBuffer();
  const entries =
    mediaType === "multipart/form-data"
      ? await multipartEntries(buffer, contentType)
      : urlencodedEntries(new Uint8Array(buffer));
  if (entries === undefined)
    return {
      ok: false,
      errors: { [FORM_ERROR]: "The form could not be read. Please send it again." },
      values,
    };
  if (entries.length > maxFields)
    return { ok: false, errors: { [FORM_ERROR]: "The form has too many fields." }, values };

  const grouped = new Map<string, string[]>();
  for (const entry of entries) {
    if ("invalidText" in entry) {
      errors[entry.name ?? FORM_ERROR] = "Contains characters that are not valid text (UTF-8).";
      continue;
    }
    const { name, value } = entry;
    if (typeof value !== "string") errors[name] = "File uploads are not accepted here.";
    else if (value.includes("\u0000")) errors[name] = "Contains characters that are not allowed.";
    else if (value.length > maxFieldChars)
      errors[name] = `Must be at most ${maxFieldChars} characters.`;
    else grouped.set(name, [...(grouped.get(name) ?? []), value]);
  }

  const input: Record<string, string | string[]> = Object.create(null);
  for (const [name, list] of grouped) {
    if (errors[name]) continue;
    if (!NOT_ECHOED.test(name)) values[name] = list.join(", ");
    if (repeatable.has(name)) input[name] = list;
    else if (list.length === 1) input[name] = list[0] as string;
    else errors[name] = "Send this field once.";
  }

  const parsed = schema.safeParse(input);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, data: parsed.data };
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = typeof issue.path[0] === "string" ? issue.path[0] : FORM_ERROR;
      errors[key] ??= issue.message;
    }
  }
  return { ok: false, errors, values };
}

/**
 * application/x-www-form-urlencoded, decoded strictly: the platform parser
 * replaces invalid UTF-8 with U+FFFD, which would silently store garbage.
 */
function urlencodedEntries(bytes: Uint8Array): Entry[] | undefined {
  if (!isUtf8(bytes)) return [{ name: undefined, invalidText: true }];
  const body = utf8.decode(bytes);
  const entries: Entry[] = [];
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = strictDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = strictDecode(eq === -1 ? "" : pair.slice(eq + 1));
    if (name === undefined || value === undefined) entries.push({ name, invalidText: true });
    else entries.push({ name, value });
  }
  return entries;
}

/** `+` is a space; a malformed escape or invalid UTF-8 sequence is undefined rather than U+FFFD. */
function strictDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

async function multipartEntries(
  buffer: ArrayBuffer,
  contentType: string,
): Promise<Entry[] | undefined> {
  let form: FormData;
  try {
    form = await new Response(buffer, { headers: { "Content-Type": contentType } }).formData();
  } catch {
    return undefined;
  }
  const entries: Entry[] = [];
  let hasFile = false;
  for (const [name, value] of form.entries()) {
    hasFile ||= typeof value !== "string";
    entries.push({ name, value });
  }
  // The multipart parser also replaces invalid UTF-8 with U+FFFD. Without file
  // parts the whole body is text and must decode strictly; when it does not,
  // the fields showing a replacement character are the ones to blame.
  if (hasFile || isUtf8(new Uint8Array(buffer))) return entries;
  const blamed = entries.map(
    (e): Entry =>
      "value" in e && typeof e.value === "string" && e.value.includes("\uFFFD")
        ? { name: e.name, invalidText: true }
        : e,
  );
  return blamed.some((e) => "invalidText" in e) ? blamed : [{ name: undefined, invalidText: true }];
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
