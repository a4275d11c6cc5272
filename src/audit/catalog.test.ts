import { describe, expect, it } from "vitest";
import {
  AUDIT_CATALOG,
  AUDIT_CATEGORIES,
  eventInfo,
  eventLabel,
  typesInCategory,
} from "./catalog.js";
import { AUDIT_EVENT_TYPES } from "./events.js";

const SEVERITIES = ["info", "notice", "warning", "critical"];

describe("audit catalog", () => {
  it("describes every event type with a valid category, severity, label and one-line description", () => {
    expect(Object.keys(AUDIT_CATALOG).sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
    for (const type of AUDIT_EVENT_TYPES) {
      const info = AUDIT_CATALOG[type];
      expect(info.type).toBe(type);
      expect(AUDIT_CATEGORIES, type).toContain(info.category);
      expect(SEVERITIES, type).toContain(info.severity);
      expect(info.label.trim().length, type).toBeGreaterThan(0);
      expect(info.label.length, type).toBeLessThanOrEqual(48);
      expect(info.description.trim().length, type).toBeGreaterThan(0);
      expect(info.description, type).not.toMatch(/\n/);
      expect(info.description.length, type).toBeLessThanOrEqual(160);
    }
  });

  it("gives every type its own label, so a list never shows two events alike", () => {
    const labels = AUDIT_EVENT_TYPES.map((type) => AUDIT_CATALOG[type].label.toLowerCase());
    const repeated = labels.filter((label, i) => labels.indexOf(label) !== i);
    expect(repeated).toEqual([]);
  });

  it("lists the types once each and puts every type in exactly one category", () => {
    expect(new Set(AUDIT_EVENT_TYPES).size).toBe(AUDIT_EVENT_TYPES.length);
    const byCategory = AUDIT_CATEGORIES.flatMap((category) => typesInCategory(category));
    expect(byCategory.sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
    for (const category of AUDIT_CATEGORIES) {
      expect(typesInCategory(category).length, category).toBeGreaterThan(0);
    }
  });

  it("covers the events the issue names", () => {
    for (const type of [
      "login_succeeded",
      "login_failed",
      "logout",
      "session_created",
      "session_revoked",
      "session_expired",
      "access_denied",
      "mail_sent",
      "mail_failed",
      "app_started",
      "app_stopped",
      "app_error",
      "audit_exported",
      "audit_pruned",
      "audit_verified",
    ]) {
      expect(eventInfo(type), type).toBeDefined();
    }
  });

  it("reads unknown types as words and never mistakes inherited names for types", () => {
    expect(eventLabel("login_succeeded")).toBe("Signed in");
    expect(eventLabel("new_thing")).toBe("New thing");
    expect(eventLabel("")).toBe("");
    expect(eventInfo("toString")).toBeUndefined();
    expect(eventInfo("__proto__")).toBeUndefined();
    expect(eventLabel("constructor")).toBe("Constructor");
  });
});
