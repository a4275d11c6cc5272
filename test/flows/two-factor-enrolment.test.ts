import { afterEach, describe, expect, it } from "vitest";
import { base64url, hex } from "../../src/lib/encoding.js";
import { generateTotp, secretToBase32 } from "../../src/totp/totp.js";
import { csrfFrom, ORIGIN, outboxRows, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";
import { base32Decode, confirmSudo, enrol, manualKeyFrom } from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

/** Every text value of every column of every table: the scan for leaked secrets. */
async function everyStoredValue(app: TestApp): Promise<string[]> {
  const tables = await app.deps.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const values: string[] = [];
  for (const { table_name } of tables) {
    for (const row of await app.deps.db.query(`SELECT * FROM ${table_name}`)) {
      for (const value of Object.values(row)) {
        if (value === null || value === undefined) continue;
        values.push(typeof value === "object" ? JSON.stringify(value) : String(value));
      }
    }
  }
  return values;
}

describe.each(availableDialects())("two-factor enrolment (%s)", (dialect) => {
  it("threat: a session left open cannot enrol a phone: /account/2fa/setup needs sudo", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const gate = await t.client.get("/account/2fa/setup");
    expect(gate.status).toBe(303);
    expect(gate.headers.get("Location")).toBe("/auth/confirm?next=%2Faccount%2F2fa%2Fsetup");
    const anonymous = await t.newClient().get("/account/2fa/setup");
    expect(anonymous.headers.get("Location")).toBe("/auth/login?next=%2Faccount%2F2fa%2Fsetup");
  });

  it("shows a QR code and the key, keeps the secret server-side, and turns on only with a valid code", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    const page = await t.client.get("/account/2fa/setup");
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const html = await page.text();
    expect(html).toMatch(/<img class="qr-code" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    const key = manualKeyFrom(html);
    const secret = base32Decode(key);
    expect(secret).toHaveLength(20); // 160 bits
    // The same key on reload (the person may still be scanning), a new one for another user.
    expect(manualKeyFrom(await (await t.client.get("/account/2fa/setup")).text())).toBe(key);

    // A wrong code, and a "secret" posted back by a tampered page, change nothing.
    const wrong = await t.client.post(
      "/account/2fa/setup",
      { _csrf: csrfFrom(html), code: "000000", secret: "JBSWY3DPEHPK3PXP" },
      { Origin: ORIGIN },
    );
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain("That code is not right.");
    expect((await t.client.get("/account/security")).status).toBe(200);
    expect(await (await t.client.get("/account/security")).text()).toContain(">Off<");

    const res = await t.client.post(
      "/account/2fa/setup",
      { _csrf: csrfFrom(html), code: generateTotp(secret, t.clock.now()) },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const codesPage = await res.text();
    expect(codesPage).toContain("Two-factor authentication is on.");
    expect(codesPage).toMatch(
      /href="data:text\/plain;charset=utf-8;base64,[^"]+" [^>]*download="bastion-backup-codes.txt"|download="bastion-backup-codes.txt"/,
    );
    expect(codesPage).not.toMatch(/\son[a-z]+=/i);
    const codes = [...codesPage.matchAll(/\b([0-9A-Z]{5}-[0-9A-Z]{5})\b/g)].map((m) => m[1]);
    expect(new Set(codes).size).toBe(10);
    // The download holds the same codes.
    const href = /href="data:text\/plain;charset=utf-8;base64,([^"]+)"/.exec(codesPage)?.[1];
    const file = Buffer.from(href ?? "", "base64").toString("utf8");
    for (const code of new Set(codes)) expect(file).toContain(code as string);

    // "I saved them": a GET with the checkbox, back to the security page with a message.
    const done = await t.client.get("/account/2fa/done?saved=1&reason=enabled");
    expect(done.headers.get("Location")).toBe("/account/security");
    const security = await (await t.client.get("/account/security")).text();
    expect(security).toContain("Two-factor authentication is on.");
    expect(security).toMatch(/id="backup-codes-left">10</);
    // The linked-providers section (the OAuth work's) renders beside it.
    expect(security).toContain('id="linked-providers-section"');

    // Once on, the setup page sends the user to the security page instead of a new secret.
    expect((await t.client.get("/account/2fa/setup")).headers.get("Location")).toBe(
      "/account/security",
    );
    expect((await outboxRows(t)).map((r) => r.template)).toContain("two_factor_enabled");
    const events = await t.deps.audit.list({ type: "two_factor_enabled" });
    expect(events.map((e) => e.outcome).sort()).toEqual(["failure", "success"]);
    expect(events[0]?.actorId).toBe(user.id);
  });

  it("threat: a database dump holds neither the secret (raw, hex, base32, base64) nor any backup code", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { secret, backupCodes } = await enrol(t);
    const needles = [
      secretToBase32(secret),
      hex(secret),
      base64url(secret),
      Buffer.from(secret).toString("base64"),
      Buffer.from(secret).toString("latin1"),
      ...backupCodes,
      ...backupCodes.map((c) => c.replace("-", "")),
    ];
    const values = await everyStoredValue(t);
    expect(values.length).toBeGreaterThan(20);
    for (const value of values) {
      for (const needle of needles) expect(value.toUpperCase()).not.toContain(needle.toUpperCase());
    }
    // What is stored instead: ciphertext with a key id, and ten salted hashes.
    const cred = await t.deps.db.one<{ key_id: string; secret_ciphertext: string }>(
      "SELECT key_id, secret_ciphertext FROM two_factor_credentials",
    );
    expect(cred?.key_id).toMatch(/^hkdf1:[0-9a-f]{16}$/);
    const hashes = await t.deps.db.query("SELECT code_hash FROM two_factor_backup_codes");
    expect(hashes).toHaveLength(10);
  });

  it("an expired enrolment is replaced by a new key; a code for the old key no longer enables", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    const first = await (await t.client.get("/account/2fa/setup")).text();
    t.clock.advance(16 * 60_000);
    await confirmSudo(t.client);
    const res = await submitForm(
      t.client,
      "/account/2fa/setup",
      { code: generateTotp(base32Decode(manualKeyFrom(first)), t.clock.now()) },
      { from: "/account/security" },
    );
    // The POST found no live enrolment: a fresh key is made and shown.
    expect(res.status).toBe(303);
    const again = await (await t.client.get("/account/2fa/setup")).text();
    expect(manualKeyFrom(again)).not.toBe(manualKeyFrom(first));
    expect(again).toContain("That setup expired.");
  });
});
