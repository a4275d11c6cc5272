import type { Context } from "hono";
import { HtmlEscapedCallbackPhase, type HtmlEscapedString, resolveCallback } from "hono/utils/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An HTML response whose body is a plain string.
 *
 * `c.html(<Page/>)` hands the response hono's escaped `String` object, not a
 * string primitive; @hono/node-server writes only primitives (and buffers)
 * straight to the socket, and for anything else builds a full web Response
 * and streams its body. Resolving the markup here first is what hono does
 * inside `c.html` too, minus that detour: on a signed-in page the detour was
 * a fifth of the server's CPU time (profiled with --cpu-prof).
 */
export async function htmlResponse(
  c: Context,
  markup: HtmlEscapedString | Promise<HtmlEscapedString> | string,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const resolved = await resolveCallback(
    await markup,
    HtmlEscapedCallbackPhase.Stringify,
    false,
    {},
  );
  return c.html(`${resolved}`, status);
}
