import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "./csv.js";

describe("CSV cells", () => {
  it("quotes every field and doubles quotes (RFC 4180)", () => {
    expect(csvCell("plain")).toBe('"plain"');
    expect(csvCell('say "hi", then\r\nleave')).toBe('"say ""hi"", then\r\nleave"');
    expect(csvCell("")).toBe('""');
    expect(csvLine(["a", "b,c"])).toBe('"a","b,c"\r\n');
  });

  it("threat: formula injection. Cells a spreadsheet would run get a leading apostrophe", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
      expect(csvCell(`${start}cmd|' /C calc'!A0`)).toBe(`"'${start}cmd|' /C calc'!A0"`);
    }
    expect(csvCell('=HYPERLINK("http://evil.example")')).toBe(
      `"'=HYPERLINK(""http://evil.example"")"`,
    );
    // Only the first character matters: inner signs are ordinary text.
    expect(csvCell("a=b")).toBe('"a=b"');
    expect(csvCell("Smith-Jones")).toBe('"Smith-Jones"');
  });
});
