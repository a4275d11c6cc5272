import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SendOptions {
  method?: "GET" | "POST";
  /** A header given as an array is sent as that many header lines. */
  headers?: OutgoingHttpHeaders;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /**
   * The loopback address the connection leaves from (any 127.x.y.z works on
   * Linux without an alias): the client address the proxy and the app see.
   */
  from: string;
}

/**
 * One request over a fresh connection (no agent, no keep-alive), so each
 * leaves from `from` and is spread by the proxy's round robin like separate
 * clients. Redirects are not followed. Node's http client rather than fetch:
 * fetch cannot choose the local address, and it would refuse some of the
 * malformed headers the bad-input cases send.
 */
export function send(url: string, options: SendOptions): Promise<Answer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: OutgoingHttpHeaders = { ...options.headers };
  if (body !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers["content-length"] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        headers,
        localAddress: options.from,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`${url}: no answer within 60 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A browser at one client address: keeps the cookies it is given (whatever
 * instance or proxy gave them: they are all one site) and sends them back.
 */
export class Visitor {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly from: string,
    /** Sent as Origin on every POST, as a browser on the site would (the CSRF origin check). */
    readonly origin: string,
  ) {}

  async get(url: string, headers: OutgoingHttpHeaders = {}): Promise<Answer> {
    return this.keep(await send(url, { from: this.from, headers: this.with(headers) }));
  }

  async post(
    url: string,
    form: Record<string, string>,
    headers: OutgoingHttpHeaders = {},
  ): Promise<Answer> {
    const all = this.with({ origin: this.origin, ...headers });
    return this.keep(await send(url, { from: this.from, form, headers: all }));
  }

  /** GETs `pageUrl`, then posts `form` with the page's CSRF token to `actionUrl` (default: the page). */
  async submit(
    pageUrl: string,
    form: Record<string, string>,
    actionUrl = pageUrl,
    headers: OutgoingHttpHeaders = {},
  ): Promise<Answer> {
    const page = await this.get(pageUrl);
    return this.post(actionUrl, { _csrf: csrfOf(page, pageUrl), ...form }, headers);
  }

  private with(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
    if (this.cookies.size === 0) return headers;
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    return { ...headers, cookie };
  }

  private keep(answer: Answer): Answer {
    const set = answer.headers["set-cookie"];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone || pair.slice(at + 1) === "") this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
    return answer;
  }
}

/** The `_csrf` value of the first form on a page. */
export function csrfOf(page: Answer, where: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error(`no CSRF token on ${where} (status ${page.status})`);
  return token;
}
