import { describe, expect, it } from "vitest";
import { legacyReport, reportingApiBatch } from "../../test/csp-reports.js";
import { parseReports } from "./csp-report-parse.js";

describe("parseReports (threat: label explosion and data leaks through reports)", () => {
  const parse = (value: unknown) => parseReports(new TextEncoder().encode(JSON.stringify(value)));

  it("maps unknown directives to 'other' so metric labels stay bounded", () => {
    const [v] = parse(legacyReport({ "effective-directive": `x-${"a".repeat(500)}` })) ?? [];
    expect(v?.directive).toBe("other");
  });

  it("keeps the directive name of an old-style 'violated-directive' value", () => {
    const [v] =
      parse({
        "csp-report": {
          "violated-directive": "style-src 'self'",
          "document-uri": "https://a.example/",
        },
      }) ?? [];
    expect(v?.directive).toBe("style-src");
  });

  it("drops query strings, fragments and data: payloads, and caps lengths", () => {
    const [a] = parse(legacyReport({ "blocked-uri": "data:text/html;base64,PHNjcmlwdD4=" })) ?? [];
    expect(a?.blockedUri).toBe("data");
    const [b] =
      parse(legacyReport({ "blocked-uri": `https://x.example/${"p".repeat(400)}?t=1` })) ?? [];
    expect(b?.blockedUri.length).toBeLessThanOrEqual(201);
    expect(b?.blockedUri).not.toContain("?");
    const [c] = parse(legacyReport({ "document-uri": "not a url", "blocked-uri": 42 })) ?? [];
    expect(c).toMatchObject({ documentPath: "(invalid)", blockedUri: "(none)" });
  });

  it("reads at most 20 reports from one body", () => {
    const batch = Array.from({ length: 100 }, () => reportingApiBatch()[0]);
    expect(parse(batch)).toHaveLength(20);
  });
});
