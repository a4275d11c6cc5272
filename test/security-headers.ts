/** The security headers every response carries, and a nonce-free snapshot of them, for the header tests. */

export const STRICT_CSP =
  "default-src 'self'; script-src 'nonce-<nonce>' 'strict-dynamic'; style-src 'self' 'nonce-<nonce>'; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "report-uri /csp-report; report-to csp-endpoint";
export const RELAXED_CSP = STRICT_CSP.replace(
  "; report-uri",
  "; connect-src 'self' ws://localhost:* ws://127.0.0.1:* http://localhost:* http://127.0.0.1:*; report-uri",
);
export const HSTS = "max-age=31536000; includeSubDomains";

export const ALWAYS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "x-xss-protection": "0",
  "reporting-endpoints": 'csp-endpoint="/csp-report"',
};

/** Every header of an uncached production page: the strict policy, HSTS and the fixed set. */
export const PRODUCTION_PAGE = {
  ...ALWAYS,
  "content-security-policy": STRICT_CSP,
  "strict-transport-security": HSTS,
  "cache-control": "no-store",
};

export const NAMES = [
  ...Object.keys(ALWAYS),
  "content-security-policy",
  "content-security-policy-report-only",
  "strict-transport-security",
  "cache-control",
  "server",
  "x-powered-by",
];

/** The CSP nonce of a response (throws when there is no policy). */
export function nonceOf(res: Response): string {
  const policy =
    res.headers.get("Content-Security-Policy") ??
    res.headers.get("Content-Security-Policy-Report-Only");
  const nonce = policy?.match(/'nonce-([A-Za-z0-9_-]+)'/)?.[1];
  if (!nonce) throw new Error(`no nonce in ${policy}`);
  return nonce;
}

/** The security-relevant headers, nonce replaced so the snapshot is stable. */
export function snapshot(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NAMES) {
    const value = res.headers.get(name);
    if (value !== null) out[name] = value;
  }
  for (const key of ["content-security-policy", "content-security-policy-report-only"]) {
    const value = out[key];
    if (value) out[key] = value.replaceAll(nonceOf(res), "<nonce>");
  }
  return out;
}
