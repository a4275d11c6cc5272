/** CSP violation reports as Chromium posts them, for the report route and parser tests. */

/** What Chromium posts for `report-uri` (application/csp-report). */
export function legacyReport(overrides: Record<string, unknown> = {}) {
  return {
    "csp-report": {
      "document-uri": "https://app.example/auth/reset-password?token=SECRET-RESET-TOKEN",
      referrer: "",
      "violated-directive": "script-src-elem",
      "effective-directive": "script-src-elem",
      "original-policy": "default-src 'self'; script-src 'nonce-abc' 'strict-dynamic'",
      disposition: "enforce",
      "blocked-uri": "inline",
      "line-number": 12,
      "status-code": 200,
      "script-sample": "",
      ...overrides,
    },
  };
}

/** What Chromium posts for `report-to` (application/reports+json): a batch. */
export function reportingApiBatch() {
  return [
    {
      type: "csp-violation",
      age: 10,
      url: "https://app.example/dashboard?tab=1",
      user_agent: "Chrome",
      body: {
        documentURL: "https://app.example/dashboard?tab=1",
        blockedURL: "https://evil.example/x.js?session=abc#frag",
        effectiveDirective: "script-src-elem",
        disposition: "enforce",
        originalPolicy: "…",
        statusCode: 200,
      },
    },
    { type: "deprecation", age: 1, url: "https://app.example/", body: { id: "x" } },
    {
      type: "csp-violation",
      age: 3,
      url: "https://app.example/account",
      user_agent: "Chrome",
      body: {
        documentURL: "https://app.example/account",
        blockedURL: "inline",
        effectiveDirective: "style-src-attr",
        disposition: "report",
      },
    },
  ];
}
