import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../harness.js";
import { seedUser } from "./login-fixture.js";
import { backupCodesFrom, confirmSudo, enrol } from "./two-factor-fixture.js";

/**
 * The backup-codes page says "download or print them": both must exist. The
 * Print button needs a script, and the strict CSP runs only files carrying
 * this response's nonce, never an onclick attribute.
 */
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const nonceOf = (res: Response) =>
  /script-src 'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];

describe("backup codes can be printed", () => {
  it("the page loads static/print.js with this response's nonce and a Print button it reveals", async () => {
    t = await createTestApp();
    await seedUser(t);
    await enrol(t);
    await confirmSudo(t.client);
    const page = await t.client.get("/account/security");
    const token = /action="\/account\/2fa\/backup-codes"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(
      await page.text(),
    )?.[1];
    const res = await t.client.post(
      "/account/2fa/backup-codes",
      { _csrf: token ?? "" },
      { Origin: "http://localhost:8000" },
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(backupCodesFrom(html)).toHaveLength(10);

    const nonce = nonceOf(res);
    expect(nonce).toBeTruthy();
    const script = /<script src="(\/static\/print\.js\?v=[0-9a-f]{10})" nonce="([^"]+)" defer/.exec(
      html,
    );
    expect(script?.[2]).toBe(nonce);
    // Hidden until the script runs: no button that does nothing without script.
    expect(html).toMatch(/<button[^>]*id="print-backup-codes"[^>]*data-print="true"[^>]*hidden=""/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    // What prints: a title and the codes, inside the print sheet.
    const sheet = /<section class="print-sheet"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    expect(sheet).toContain("Bastion backup codes</h2>");
    expect(backupCodesFrom(sheet)).toEqual(backupCodesFrom(html));

    const file = await t.client.get(script?.[1] ?? "");
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await file.text()).toContain("window.print()");
  });
});
