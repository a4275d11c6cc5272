import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_NEXT_PATH_LENGTH, safeNextPath } from "./redirect.js";

/** Open-redirect attempts: each must land on the fallback. */
const HOSTILE = [
  "//evil.example",
  "///evil.example",
  "https://evil.example",
  "http:evil.example",
  "/\\evil.example",
  "\\/\\/evil.example",
  "\\\\evil.example",
  "/%2F%2Fevil.example",
  "/%2f/evil.example",
  "%2F%2Fevil.example",
  "/%5Cevil.example",
  "/..//evil.example",
  "/.//evil.example",
  "/%2e%2e//evil.example",
  "/%5cevil.example",
  "/%252F%252Fevil.example", // double-encoded: "//" after two decodes
  "/%25252F%25252Fevil.example", // triple-encoded
  "／／evil.example", // fullwidth solidus
  "/／evil.example",
  "/%EF%BC%8F/evil.example", // fullwidth solidus, encoded
  "/%E2%80%8B/evil", // zero-width space
  "/%E3%80%80/evil", // ideographic space
  "/%C0%AF/evil", // overlong "/" (legacy decoders)
  "/\t/evil.example", // browsers strip tab: "//evil.example"
  "/%09/evil.example",
  "/\n/evil.example",
  "/%0d%0a/evil.example",
  "/%00/evil",
  " /ok",
  "/ ok",
  "javascript:alert(1)",
  "/javascript:alert(1)%0A//%2F%2Fevil",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "ok",
  "",
  "/é",
  `/${"a".repeat(MAX_NEXT_PATH_LENGTH)}`,
];

/** Same-site paths that must be kept exactly. */
const KEPT = [
  "/",
  "/ok?x=1",
  "/dashboard",
  "/account/security#2fa",
  "/search?q=a%20b&page=2",
  "/search?q=100%25",
  "/a/b/../c",
  "/javascript:alert(1)", // a path on our own site, not a scheme
  "/%7Euser",
  `/${"a".repeat(MAX_NEXT_PATH_LENGTH - 1)}`,
];

describe("safeNextPath", () => {
  it.each(HOSTILE)("falls back for %j", (value) => {
    expect(safeNextPath(value)).toBe("/dashboard");
  });

  it.each(KEPT)("keeps %j", (value) => {
    expect(safeNextPath(value)).toBe(value);
  });

  it("falls back for non-strings and honours a custom fallback", () => {
    for (const value of [undefined, null, 42, ["/ok"], { toString: () => "/ok" }]) {
      expect(safeNextPath(value)).toBe("/dashboard");
    }
    expect(safeNextPath("//evil.example", "/")).toBe("/");
  });

  it("property: whatever it returns resolves to our own origin, even after two more decodes", () => {
    const base = "https://app.example";
    const tricky = fc.constantFrom(
      "/",
      "\\",
      "%2F",
      "%5C",
      "%25",
      "%",
      ":",
      "@",
      "\t",
      "／",
      "evil.example",
      "a",
      "?",
      "#",
      ".",
    );
    fc.assert(
      fc.property(
        fc.array(tricky, { maxLength: 8 }).map((parts) => parts.join("")),
        (value) => {
          const out = safeNextPath(value, "/fallback");
          let layer = out;
          for (let i = 0; i < 3; i++) {
            const url = new URL(layer, base);
            expect(url.origin).toBe(base);
            expect(url.pathname.startsWith("//")).toBe(false);
            expect(layer.startsWith("//") || layer.includes("\\")).toBe(false);
            try {
              layer = decodeURIComponent(layer);
            } catch {
              break;
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
