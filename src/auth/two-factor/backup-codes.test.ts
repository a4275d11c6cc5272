import { describe, expect, it } from "vitest";
import { systemRandom } from "../../lib/random.js";
import { BACKUP_CODE_COUNT, generateBackupCodes, normalizeBackupCode } from "./backup-codes.js";

describe("backup codes", () => {
  it("ten distinct XXXXX-XXXXX codes of Crockford base32 (50 bits each)", () => {
    const codes = generateBackupCodes(systemRandom());
    expect(codes).toHaveLength(BACKUP_CODE_COUNT);
    expect(new Set(codes).size).toBe(BACKUP_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  });

  it("typing is forgiving: case, spaces, hyphens; O reads as 0, I and L as 1", () => {
    expect(normalizeBackupCode(" abcde-fgh0z ")).toBe("ABCDEFGH0Z");
    expect(normalizeBackupCode("oIl23 45678")).toBe("01123" + "45678");
    expect(normalizeBackupCode("ABCDE")).toBeUndefined();
    expect(normalizeBackupCode("ABCDE-FGHIU")).toBeUndefined();
    expect(normalizeBackupCode("123456")).toBeUndefined();
  });
});
