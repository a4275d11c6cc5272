import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { quoted } from "../lib/encoding.js";
import type { ParsedEnv, RawEnv } from "./schema.js";
import type { Config, DatabaseTarget, TrustProxy } from "./types.js";

/**
 * Rules that read more than one variable, or parse one into a structure: each
 * pushes `NAME: what is wrong` onto `problems` and returns its best value, so
 * the loader reports every problem at once.
 */

/** The value `.env.example` ships with; refusing it stops a copied example reaching production. */
export const SECRET_KEY_PLACEHOLDER = "change-me-to-a-long-random-string-of-at-least-32-characters";

/** Requirements of NODE_ENV=production that no single field can express. */
export function checkProduction(parsed: ParsedEnv, problems: string[]): void {
  const { raw, failed } = parsed;
  if (raw.NODE_ENV !== "production") return;
  if (!raw.APP_URL && !failed.has("APP_URL")) {
    problems.push("APP_URL: required when NODE_ENV=production");
  }
}

/**
 * SECRET_KEY as given, checked; undefined when it was not set (development and
 * test then generate one, once the configuration is known to be valid).
 */
export function checkSecret(raw: RawEnv, problems: string[]): string | undefined {
  const given = raw.SECRET_KEY;
  if (given === undefined) {
    if (raw.NODE_ENV === "production")
      problems.push(
        "SECRET_KEY: required when NODE_ENV=production (at least 32 random characters)",
      );
    return undefined;
  }
  if (given === SECRET_KEY_PLACEHOLDER)
    problems.push(
      "SECRET_KEY: still the .env.example placeholder; generate one with `openssl rand -base64 48`",
    );
  else if (given.length < 32) problems.push("SECRET_KEY: must be at least 32 characters");
  return given;
}

export function parseDatabaseUrl(
  value: string | undefined,
  dirs: { cwd: string; dataDir: string },
  problems: string[],
): DatabaseTarget {
  if (value === undefined) return { kind: "duckdb", path: join(dirs.dataDir, "app.duckdb") };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      problems.push("DATABASE_URL: not a valid postgres:// URL");
    }
    return { kind: "postgres", url: value };
  }
  const path = value.replace(/^duckdb:(\/\/)?/i, "");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/^duckdb:/i.test(value)) {
    problems.push("DATABASE_URL: use postgres://…, duckdb:<path> or a file path");
  } else if (path === "") {
    problems.push("DATABASE_URL: duckdb: needs a file path or :memory:");
  }
  return { kind: "duckdb", path: path === ":memory:" ? path : resolve(dirs.cwd, path) };
}

export function parseTrustProxy(value: string | undefined, problems: string[]): TrustProxy {
  if (value === undefined || value === "false" || value === "0") return { kind: "none" };
  if (/^\d+$/.test(value)) return { kind: "hops", hops: Number(value) };
  const cidrs = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = cidrs.filter((c) => {
    const [ip, bits, extra] = c.split("/");
    if (extra !== undefined || !ip || isIP(ip) === 0) return true;
    if (bits === undefined) return false;
    const max = isIP(ip) === 4 ? 32 : 128;
    return !/^\d+$/.test(bits) || Number(bits) > max;
  });
  if (bad.length > 0)
    problems.push(`TRUST_PROXY: not a hop count or IP/CIDR list (${bad.map(quoted).join(", ")})`);
  return { kind: "cidrs", cidrs };
}

export function parseOrigins(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const origins: string[] = [];
  for (const item of value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      const u = new URL(item);
      if (u.origin === "null") throw new Error("opaque");
      origins.push(u.origin);
    } catch {
      problems.push(
        `TRUSTED_ORIGINS: ${quoted(item)} is not an origin such as https://example.com`,
      );
    }
  }
  return origins;
}

export function parseOauth(parsed: ParsedEnv, problems: string[]): Config["oauth"] {
  const { raw, failed } = parsed;
  const pair = (name: string, id: string | undefined, secret: string | undefined) => {
    if (!id && !secret) return undefined;
    if (!id || !secret) {
      problems.push(`${name}_CLIENT_ID and ${name}_CLIENT_SECRET: set both or neither`);
      return undefined;
    }
    return { clientId: id, clientSecret: secret };
  };
  const google = pair("GOOGLE", raw.GOOGLE_CLIENT_ID, raw.GOOGLE_CLIENT_SECRET);
  const github = pair("GITHUB", raw.GITHUB_CLIENT_ID, raw.GITHUB_CLIENT_SECRET);
  let oidc: Config["oauth"]["oidc"];
  // A set but invalid OIDC_ISSUER is already reported: it still counts as set here.
  const issuerSet = raw.OIDC_ISSUER !== undefined || failed.has("OIDC_ISSUER");
  if (issuerSet || raw.OIDC_CLIENT_ID || raw.OIDC_CLIENT_SECRET) {
    if (!issuerSet || !raw.OIDC_CLIENT_ID || !raw.OIDC_CLIENT_SECRET) {
      problems.push("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: set all three or none");
    } else if (raw.OIDC_ISSUER) {
      oidc = {
        issuer: raw.OIDC_ISSUER,
        clientId: raw.OIDC_CLIENT_ID,
        clientSecret: raw.OIDC_CLIENT_SECRET,
        name: raw.OIDC_NAME,
      };
    }
  }
  const endpoints = {
    google: {
      authorizeUrl: raw.GOOGLE_AUTHORIZE_URL,
      tokenUrl: raw.GOOGLE_TOKEN_URL,
      userinfoUrl: raw.GOOGLE_USERINFO_URL,
    },
    github: {
      authorizeUrl: raw.GITHUB_AUTHORIZE_URL,
      tokenUrl: raw.GITHUB_TOKEN_URL,
      apiUrl: raw.GITHUB_API_URL.replace(/\/+$/, ""),
    },
  };
  // Codes, tokens and profiles cross these URLs: plain http is for local test servers only.
  if (raw.NODE_ENV === "production") {
    const urls: Record<string, string | undefined> = {
      OIDC_ISSUER: raw.OIDC_ISSUER,
      GOOGLE_AUTHORIZE_URL: raw.GOOGLE_AUTHORIZE_URL,
      GOOGLE_TOKEN_URL: raw.GOOGLE_TOKEN_URL,
      GOOGLE_USERINFO_URL: raw.GOOGLE_USERINFO_URL,
      GITHUB_AUTHORIZE_URL: raw.GITHUB_AUTHORIZE_URL,
      GITHUB_TOKEN_URL: raw.GITHUB_TOKEN_URL,
      GITHUB_API_URL: raw.GITHUB_API_URL,
    };
    for (const [name, value] of Object.entries(urls)) {
      if (value !== undefined && !value.startsWith("https://")) {
        problems.push(`${name}: must be an https:// URL when NODE_ENV=production`);
      }
    }
  }
  return {
    google,
    github,
    oidc,
    autoLinkVerifiedEmail: raw.OAUTH_AUTO_LINK_VERIFIED_EMAIL,
    storeTokens: raw.OAUTH_STORE_TOKENS,
    endpoints,
    httpTimeoutMs: raw.OAUTH_HTTP_TIMEOUT_MS,
  };
}
