import { describe, expect, it } from "vitest";
import { checkUserRows } from "./user-rows.js";

describe("checkUserRows", () => {
  it("accepts plain tables and columns, and freezes the list", () => {
    const rows = checkUserRows([
      { table: "sessions", userIdColumn: "user_id" },
      { table: "mail_outbox", erase: async () => {} },
    ]);
    expect(rows.map((r) => r.table)).toEqual(["sessions", "mail_outbox"]);
    expect(Object.isFrozen(rows)).toBe(true);
  });

  it("refuses a name that is not a plain identifier: it is spliced into SQL", () => {
    expect(() =>
      checkUserRows([{ table: "sessions; DROP TABLE users", userIdColumn: "user_id" }]),
    ).toThrow("bad SQL identifier");
    expect(() => checkUserRows([{ table: "sessions", userIdColumn: "user_id OR 1=1" }])).toThrow(
      "bad SQL identifier",
    );
  });

  it("refuses a table listed twice, and the users table itself (it goes last, by itself)", () => {
    const step = { table: "sessions", userIdColumn: "user_id" };
    expect(() => checkUserRows([step, step])).toThrow("listed twice");
    expect(() => checkUserRows([{ table: "users", userIdColumn: "id" }])).toThrow("goes last");
  });
});
