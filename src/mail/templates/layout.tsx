import { raw } from "hono/html";
import type { Child } from "hono/jsx";

/** What every template returns: ready for `outbox.enqueue(tx, { to, userId, ...email })`. */
export interface RenderedEmail {
  template: string;
  subject: string;
  text: string;
  html: string;
}

/** Fields every template takes; `appName`/`appUrl` come from Config, `name` from the user. */
export interface EmailBase {
  appName: string;
  /** Config.appUrl: absolute, no trailing slash. Every link in a mail starts with it. */
  appUrl: string;
  /** The recipient's first name, as they typed it. */
  name: string;
}

/**
 * One mail's content as data, rendered twice (text and HTML) so the two
 * versions can never say different things. A string is a paragraph.
 */
export type Block =
  | string
  | { action: string; url: string }
  | { links: ReadonlyArray<{ label: string; url: string }> }
  | { note: string };

const MAX_NAME = 64;

/**
 * A name typed by whoever registered, so it is untrusted: JSX escapes it in
 * HTML, and here it loses control characters and line breaks (no fake
 * paragraphs in the text version) and is cut short, which limits how much
 * text a stranger can put into a mail we send to an address they chose.
 */
export function displayName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").replace(/\s+/g, " ");
  const trimmed = clean.trim();
  if (trimmed === "") return "there";
  return trimmed.length > MAX_NAME ? `${trimmed.slice(0, MAX_NAME)}…` : trimmed;
}

/** An absolute link into the app; query values are encoded. */
export function appLink(appUrl: string, path: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${appUrl.replace(/\/+$/, "")}${path}${search ? `?${search}` : ""}`;
}

export function composeEmail(options: {
  template: string;
  subject: string;
  appName: string;
  appUrl: string;
  name: string;
  blocks: readonly Block[];
}): RenderedEmail {
  const greeting = `Hi ${displayName(options.name)},`;
  return {
    template: options.template,
    subject: options.subject,
    text: renderText(greeting, options),
    html: renderHtml(greeting, options),
  };
}

function footerText(appName: string, appUrl: string): string {
  return `An automated message from ${appName} (${appUrl}) about an account that uses this email address.`;
}

function renderText(
  greeting: string,
  o: { appName: string; appUrl: string; blocks: readonly Block[] },
): string {
  const parts = [greeting];
  for (const block of o.blocks) {
    if (typeof block === "string") parts.push(block);
    else if ("action" in block) parts.push(`${block.action}:\n${block.url}`);
    else if ("links" in block)
      parts.push(block.links.map((l) => `${l.label}: ${l.url}`).join("\n"));
    else parts.push(block.note);
  }
  parts.push(`— ${o.appName}`, footerText(o.appName, o.appUrl));
  return `${parts.join("\n\n")}\n`;
}

function BlockView(props: { block: Block }) {
  const { block } = props;
  if (typeof block === "string") return <p>{block}</p>;
  if ("action" in block) {
    return (
      <>
        <p>
          <a href={block.url}>
            <strong>{block.action}</strong>
          </a>
        </p>
        <p>
          <small>
            If the link does not open, copy this address into your browser:{" "}
            <span style={MAIL_BREAK_STYLE}>{block.url}</span>
          </small>
        </p>
      </>
    );
  }
  if ("links" in block) {
    return (
      <ul>
        {block.links.map((l) => (
          <li>
            <a href={l.url}>{l.label}</a>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <p>
      <small>{block.note}</small>
    </p>
  );
}

/**
 * The two inline declarations mail carries, both optional by design: a client
 * that drops styles still gets a fluid 100%-wide table (the width attribute)
 * and URLs that may run long on a phone, nothing worse.
 */
export const MAIL_COLUMN_STYLE = "width:100%;max-width:608px";
/** On the bare URL only: a 60-character token has no other place to break on a phone. */
export const MAIL_BREAK_STYLE = "word-break:break-all";

/**
 * Outlook for Windows ignores max-width: a conditional fixed-width table
 * holds its column at the same 608 px. Every other client skips the comment.
 */
const OUTLOOK_OPEN = raw(
  '<!--[if mso]><table role="presentation" width="608" align="center" cellpadding="0" cellspacing="0"><tr><td><![endif]-->',
);
const OUTLOOK_CLOSE = raw("<!--[if mso]></td></tr></table><![endif]-->");

/**
 * A plain single-column table: the layout mail clients render most
 * consistently. Fluid: as wide as the screen up to 608 px, so a phone shows
 * it without sideways scrolling and a desktop keeps a readable line.
 */
function EmailLayout(props: { subject: string; appName: string; appUrl: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.subject}</title>
      </head>
      <body>
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
          <tr>
            <td align="center">
              {OUTLOOK_OPEN}
              <table
                role="presentation"
                width="100%"
                cellpadding="16"
                cellspacing="0"
                style={MAIL_COLUMN_STYLE}
              >
                <tr>
                  <td>
                    <h1>{props.appName}</h1>
                  </td>
                </tr>
                <tr>
                  <td>{props.children}</td>
                </tr>
                <tr>
                  <td>
                    <hr />
                    <p>
                      <small>{footerText(props.appName, props.appUrl)}</small>
                    </p>
                  </td>
                </tr>
              </table>
              {OUTLOOK_CLOSE}
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

function renderHtml(
  greeting: string,
  o: { subject: string; appName: string; appUrl: string; blocks: readonly Block[] },
): string {
  const tree = (
    <EmailLayout subject={o.subject} appName={o.appName} appUrl={o.appUrl}>
      <p>{greeting}</p>
      {o.blocks.map((block) => (
        <BlockView block={block} />
      ))}
      <p>— {o.appName}</p>
    </EmailLayout>
  );
  const markup = tree.toString();
  // Every component here is synchronous; an async one would silently render "[object Promise]".
  if (typeof markup !== "string") throw new TypeError("email templates must be synchronous");
  return `<!doctype html>${markup}`;
}
