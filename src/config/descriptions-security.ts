import type { RawEnv } from "./schema.js";
import type { VariableDescription } from "./sections.js";

/** Descriptions for docs/configuration.md (descriptions.ts): Sign-in, passwords, accounts, passkeys, proxies and headers, security.txt. */
export const SECURITY_VARIABLES = {
  GOOGLE_CLIENT_ID: { section: "oauth", text: "Google sign-in client id." },
  GOOGLE_CLIENT_SECRET: { section: "oauth", text: "Google sign-in client secret." },
  GITHUB_CLIENT_ID: { section: "oauth", text: "GitHub sign-in client id." },
  GITHUB_CLIENT_SECRET: { section: "oauth", text: "GitHub sign-in client secret." },
  OIDC_ISSUER: {
    section: "oauth",
    text: "Any OpenID Connect provider, found by discovery at `$OIDC_ISSUER/.well-known/openid-configuration`. Set all three OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none.",
  },
  OIDC_CLIENT_ID: { section: "oauth", text: "OpenID Connect client id." },
  OIDC_CLIENT_SECRET: { section: "oauth", text: "OpenID Connect client secret." },
  OIDC_NAME: {
    section: "oauth",
    text: "The OpenID Connect provider's name on the sign-in button.",
  },
  OAUTH_AUTO_LINK_VERIFIED_EMAIL: {
    section: "oauth",
    text: "Link a provider identity to an existing account when both sides have verified the same email address.",
  },
  OAUTH_STORE_TOKENS: {
    section: "oauth",
    text: "Keep the providers' access and refresh tokens (encrypted with a key derived from SECRET_KEY) for calling their APIs later.",
  },
  GOOGLE_AUTHORIZE_URL: {
    section: "oauth",
    text: "Google's authorization endpoint (override for tests or proxies; https in production).",
  },
  GOOGLE_TOKEN_URL: { section: "oauth", text: "Google's token endpoint." },
  GOOGLE_USERINFO_URL: { section: "oauth", text: "Google's userinfo endpoint." },
  GITHUB_AUTHORIZE_URL: {
    section: "oauth",
    text: "GitHub's authorization endpoint (GitHub Enterprise: your server's).",
  },
  GITHUB_TOKEN_URL: { section: "oauth", text: "GitHub's token endpoint." },
  GITHUB_API_URL: {
    section: "oauth",
    text: "GitHub's REST API base (GitHub Enterprise: `https://github.example.com/api/v3`).",
  },
  OAUTH_HTTP_TIMEOUT_MS: {
    section: "oauth",
    text: "Every call to a provider (discovery, token, profile) gives up after this many milliseconds.",
  },
  CSP_MODE: {
    section: "proxy",
    text: "Content-Security-Policy: strict (nonces, no inline code), report-only (violations reported, nothing blocked) or relaxed. Unset: strict in production, relaxed in development.",
  },
  HSTS_MAX_AGE: {
    section: "proxy",
    text: "Strict-Transport-Security max-age in seconds, sent in production only; 0 tells browsers to forget the site's HSTS.",
  },
  HSTS_PRELOAD: {
    section: "proxy",
    text: "Adds `preload` to Strict-Transport-Security: only once the whole domain serves https for good.",
  },
  TRUST_PROXY: {
    section: "proxy",
    text: "Behind a reverse proxy: the number of proxies that append to X-Forwarded-For (1), or a comma list of the proxies' IPs or CIDRs. Unset: X-Forwarded-For is ignored and the socket's address is the client's.",
  },
  TRUSTED_ORIGINS: {
    section: "proxy",
    text: "Extra origins allowed to send forms (comma list), besides APP_URL's.",
  },
  SESSION_IDLE_TIMEOUT_MINUTES: {
    section: "accounts",
    text: "A session unused this long ends.",
  },
  SESSION_MAX_AGE_HOURS: {
    section: "accounts",
    text: "A session ends this long after sign-in, used or not.",
  },
  SESSION_CACHE_TTL_SECONDS: {
    section: "accounts",
    text: "Session lookups are cached per instance this long (0 turns the cache off); without an instant revocation channel, a revoked session may pass on another instance for up to this long.",
  },
  SUDO_WINDOW_MINUTES: {
    section: "accounts",
    text: 'How long a re-authentication ("sudo mode") unlocks sensitive account changes.',
  },
  PASSWORD_RESET_TTL_MINUTES: {
    section: "accounts",
    text: "How long a password reset link works.",
  },
  REQUIRE_EMAIL_VERIFICATION: {
    section: "accounts",
    text: "New accounts must confirm their address before signing in.",
  },
  EMAIL_VERIFICATION_TTL_HOURS: {
    section: "accounts",
    text: "How long an email verification link works.",
  },
  EMAIL_CHANGE_TTL_MINUTES: {
    section: "accounts",
    text: "How long the link sent to a new address (email change) works.",
  },
  REQUIRE_2FA_FOR_ADMINS: {
    section: "accounts",
    text: "Admins must enrol in two-factor authentication before any /admin page. Unset: true in production, false elsewhere.",
  },
  PASSWORD_MIN_LENGTH: {
    section: "passwords",
    text: "Shortest password accepted (never below 8).",
  },
  ARGON2_MEMORY_KIB: {
    section: "passwords",
    text: "argon2id memory cost in KiB (OWASP's minimum is the floor). A change rehashes each password at its next sign-in.",
  },
  ARGON2_TIME_COST: {
    section: "passwords",
    text: "argon2id passes (OWASP's minimum is the floor).",
  },
  UV_THREADPOOL_SIZE: {
    section: "passwords",
    text: "Node's libuv thread pool size (Node reads it at start); password hashing uses part of it, leaving threads to the database and the file system.",
  },
  PASSWORD_HASH_MAX_QUEUE: {
    section: "passwords",
    text: "Hashes that may wait for a thread; sign-ins beyond it get 503 with Retry-After.",
  },
  MAX_FAILED_LOGIN_ATTEMPTS: {
    section: "passwords",
    text: "Wrong passwords in a row before an account is locked.",
  },
  ACCOUNT_LOCKOUT_MINUTES: {
    section: "passwords",
    text: "How long a locked account stays locked.",
  },
  RATE_LIMITS: {
    section: "passwords",
    text: "Per-policy overrides, `name=points/window` separated by commas, such as `login=20/10m,register=10/1h`.",
  },
  RATE_LIMIT_FAIL_MODE: {
    section: "passwords",
    text: "When Redis fails and no in-memory count applies: allow (open) or refuse (closed).",
  },
  RATE_LIMIT_INSURANCE: {
    section: "passwords",
    text: "While Redis is unreachable, keep counting per instance in memory (RATE_LIMIT_FAIL_MODE is then not needed).",
  },
  WEBAUTHN_RP_ID: {
    section: "passkeys",
    text: "The relying party id, a host name: APP_URL's host or a parent domain of it. Unset: APP_URL's host. Changing it stops every registered passkey.",
  },
  WEBAUTHN_ORIGINS: {
    section: "passkeys",
    text: "Origins allowed to use passkeys (comma list), each on WEBAUTHN_RP_ID or a subdomain of it. Unset: APP_URL's origin.",
  },
  SECURITY_CONTACT: {
    section: "securityTxt",
    text: "Where to report vulnerabilities: email addresses, mailto: URIs or https:// URLs, separated by commas. Unset: no security.txt (404).",
  },
  SECURITY_PREFERRED_LANGUAGES: {
    section: "securityTxt",
    text: "Languages you read reports in, as tags separated by commas, such as `en, fr`.",
  },
} satisfies Partial<Record<keyof RawEnv, VariableDescription>>;
