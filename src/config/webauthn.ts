import type { ParsedEnv } from "./schema.js";
import type { Config } from "./types.js";

/**
 * WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS (docs/passkeys.md).
 *
 * A passkey is bound to its relying party id (a host name) forever: change
 * it and every registered passkey stops working. So the default follows
 * APP_URL's host, and an operator who serves several subdomains sets the
 * parent domain once, before anyone registers. The origins list is what
 * clientDataJSON.origin may say; the browser only lets a page use an RP id
 * that is its own host or a parent of it, and we refuse a configuration that
 * could never work rather than let every ceremony fail at run time.
 */
export function parseWebauthn(parsed: ParsedEnv, problems: string[]): Config["webauthn"] {
  const { raw } = parsed;
  const appUrl = raw.APP_URL ?? `http://localhost:${raw.PORT}`;
  const appHost = safeUrl(appUrl)?.hostname ?? "localhost";
  const rpId = (raw.WEBAUTHN_RP_ID ?? appHost).toLowerCase();
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(rpId) || rpId.includes("..")) {
    problems.push(`WEBAUTHN_RP_ID: "${rpId.slice(0, 64)}" is not a host name such as example.com`);
  }
  const origins: string[] = [];
  const listed = raw.WEBAUTHN_ORIGINS?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of listed ?? [appUrl]) {
    const url = safeUrl(item);
    if (!url || url.origin === "null" || !/^https?:$/.test(url.protocol)) {
      problems.push(
        `WEBAUTHN_ORIGINS: "${item.slice(0, 64)}" is not an origin such as https://example.com`,
      );
      continue;
    }
    const host = url.hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      problems.push(
        `WEBAUTHN_ORIGINS: ${url.origin} is not on WEBAUTHN_RP_ID ${rpId} or a subdomain of it`,
      );
      continue;
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return { rpId, origins };
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
