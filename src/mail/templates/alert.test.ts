import { describe, expect, it } from "vitest";
import { alertEmail } from "./alert.js";

const base = {
  appName: "Bastion",
  appUrl: "https://app.example.com",
  monitoringUrl: "https://app.example.com/admin/monitoring",
  rule: "error_rate",
  severity: "critical",
  summary: "Error rate 12.5 % over 5 min (above threshold 5 %)",
  firedAt: new Date("2026-01-15T12:00:00Z"),
};

describe("alert email", () => {
  it("leads with the headline, says what happened and links to the monitoring page", () => {
    const email = alertEmail({
      ...base,
      kind: "fired",
      headline: "[Bastion] FIRING critical: Error rate 12.5 %",
      resolvedAt: undefined,
    });
    expect(email.template).toBe("alert");
    expect(email.subject).toBe("[Bastion] FIRING critical: Error rate 12.5 %");
    expect(email.text).toContain('The alert "error_rate" (critical) is firing.');
    expect(email.text).toContain(base.summary);
    expect(email.text).toContain("Fired: 2026-01-15 12:00 UTC");
    expect(email.text).not.toContain("Resolved:");
    expect(email.text).toContain(base.monitoringUrl);
    expect(email.html).toContain(`href="${base.monitoringUrl}"`);
    expect(email.text).toContain("ALERT_EMAIL_TO");
  });

  it("a resolution names both times; a reminder says it is still firing", () => {
    const resolved = alertEmail({
      ...base,
      kind: "resolved",
      headline: "[Bastion] RESOLVED critical: Error rate 1 %",
      resolvedAt: new Date("2026-01-15T12:30:00Z"),
    });
    expect(resolved.text).toContain("has resolved");
    expect(resolved.text).toContain("Resolved: 2026-01-15 12:30 UTC");
    const reminder = alertEmail({
      ...base,
      kind: "reminder",
      headline: "h",
      resolvedAt: undefined,
    });
    expect(reminder.text).toContain("is still firing");
  });

  it("HTML-escapes what it is given", () => {
    const email = alertEmail({
      ...base,
      kind: "fired",
      headline: "h",
      summary: "<b>5 % & more</b>",
      resolvedAt: undefined,
    });
    expect(email.html).toContain("&lt;b&gt;5 % &amp; more&lt;/b&gt;");
    expect(email.html).not.toContain("<b>5 %");
  });
});
