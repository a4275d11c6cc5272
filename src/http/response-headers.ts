import type { Context } from "hono";

/**
 * Changes the headers of the response a handler already produced (after
 * `next()`), in place.
 *
 * Why not `c.header()`: once a response exists, hono rebuilds it for every
 * `c.header()` call (`new Response(res.body, res)`), and reading `.body`
 * makes @hono/node-server turn its lightweight response into a full web
 * Response whose body is then streamed instead of written at once. On a
 * signed-in page that rebuild was the largest single cost in the profile.
 * Only a response whose headers are immutable (`Response.redirect()`, a
 * fetched response) is copied once, and only then.
 */
export function editResponseHeaders(c: Context, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers);
  } catch (error) {
    // An immutable Headers refuses its first change, so nothing was applied yet.
    if (!(error instanceof TypeError)) throw error;
    c.res = new Response(c.res.body, c.res);
    edit(c.res.headers);
  }
}
