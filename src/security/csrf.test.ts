import { describe, expect, it } from "vitest";
import { form, ORIGIN, setup } from "../../test/csrf-fixture.js";
import { CSRF_HEADER } from "./csrf.js";

describe("csrfProtection: layer 1 (Origin / Sec-Fetch-Site)", () => {
  it("rejects Sec-Fetch-Site: cross-site even with a valid token (the browser says the page was foreign)", async () => {
    const { app, visit, deps } = setup();
    const { cookie, token } = await visit();
    const res = await app.request(
      "/echo",
      form({ _csrf: token }, { Cookie: cookie, "Sec-Fetch-Site": "cross-site" }),
    );
    expect(res.status).toBe(403);
    expect(deps.audit.inputs[0]?.details).toMatchObject({ reason: "cross_site" });
  });

  it.each([["https://evil.example"], ["null"], [`${ORIGIN}.evil.example`], ["http://app.example"]])(
    "rejects Origin %s with a valid token (origin_mismatch)",
    async (origin) => {
      const { app, visit, deps } = setup();
      const { cookie, token } = await visit();
      const res = await app.request(
        "/echo",
        form({ _csrf: token }, { Cookie: cookie, Origin: origin }),
      );
      expect(res.status).toBe(403);
      expect(deps.audit.inputs[0]?.details).toMatchObject({ reason: "origin_mismatch" });
    },
  );

  it("accepts the app's origin, a TRUSTED_ORIGINS entry, same-origin and same-site fetch metadata", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const variants: Record<string, string>[] = [
      { Origin: ORIGIN, "Sec-Fetch-Site": "same-origin" },
      { Origin: "https://admin.example", "Sec-Fetch-Site": "same-site" },
      { "Sec-Fetch-Site": "none" },
      {},
    ];
    for (const headers of variants) {
      const res = await app.request(
        "/echo",
        form({ _csrf: token }, { Cookie: cookie, ...headers }),
      );
      expect(res.status).toBe(200);
    }
  });

  it("covers JSON and text/plain bodies too, answering JSON callers in JSON", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const res = await app.request("/text", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Origin: "https://evil.example",
        Cookie: cookie,
        [CSRF_HEADER]: token,
      },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "CSRF_REJECTED" } });
    const plain = await app.request("/text", {
      method: "POST",
      headers: { "Content-Type": "text/plain", Cookie: cookie },
      body: `_csrf=${token}`,
    });
    expect(plain.status).toBe(403);
  });
});

describe("csrfProtection: layer 2 (synchronizer token)", () => {
  it("passes a form with the token, and the handler still reads the whole body", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const res = await app.request(
      "/echo",
      form({ _csrf: token, theme: "dark", tag: "a" }, { Cookie: cookie, Origin: ORIGIN }),
    );
    expect(await res.json()).toEqual({ body: { _csrf: token, theme: "dark", tag: "a" } });
    const text = await app.request("/text", form({ _csrf: token, x: "1" }, { Cookie: cookie }));
    expect(await text.text()).toBe(`_csrf=${token}&x=1`);
  });

  it("reads the token from a multipart body", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const body = new FormData();
    body.set("_csrf", token);
    body.set("name", "Ada");
    const res = await app.request("/echo", { method: "POST", body, headers: { Cookie: cookie } });
    expect(await res.json()).toEqual({ body: { _csrf: token, name: "Ada" } });
  });

  it("accepts the X-CSRF-Token header on every unsafe method (htmx, fetch)", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    for (const method of ["PUT", "PATCH", "DELETE", "PROPFIND"]) {
      const ok = await app.request("/thing", {
        method,
        headers: { Cookie: cookie, [CSRF_HEADER]: token },
      });
      expect(ok.status, method).toBe(200);
      const denied = await app.request("/thing", { method, headers: { Cookie: cookie } });
      expect(denied.status, method).toBe(403);
    }
  });

  it("rejects: no token, a wrong token, a repeated field, another visitor's token, no cookie", async () => {
    const { app, visit, deps } = setup();
    const me = await visit();
    const other = await visit();
    const attempts: Array<[RequestInit, string]> = [
      [form({}, { Cookie: me.cookie }), "missing_token"],
      [form({ _csrf: "x".repeat(86) }, { Cookie: me.cookie }), "invalid_token"],
      [
        { ...form({}, { Cookie: me.cookie }), body: `_csrf=${me.token}&_csrf=${me.token}` },
        "missing_token",
      ],
      [form({ _csrf: other.token }, { Cookie: me.cookie }), "invalid_token"],
      [form({ _csrf: me.token }), "invalid_token"],
      [form({ _csrf: me.token }, { Cookie: "csrf=tampered.value" }), "invalid_token"],
    ];
    for (const [init, reason] of attempts) {
      const res = await app.request("/echo", init);
      expect(res.status).toBe(403);
      expect(deps.audit.inputs.at(-1)).toMatchObject({
        type: "csrf_rejected",
        outcome: "denied",
        details: { reason },
      });
    }
  });

  it("does not accept a token in the query string (it would leak through logs and Referer)", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const res = await app.request(`/echo?_csrf=${token}`, form({}, { Cookie: cookie }));
    expect(res.status).toBe(403);
  });

  it("accepts an old masked token of the same visitor", async () => {
    const { app, visit } = setup();
    const { cookie, token: first } = await visit();
    const again = await app.request("/form", { headers: { Cookie: cookie } });
    expect(again.headers.get("Set-Cookie")).toBeNull(); // the existing secret is kept
    const res = await app.request("/echo", form({ _csrf: first }, { Cookie: cookie }));
    expect(res.status).toBe(200);
  });

  it("counts rejections by reason, starting every series at zero", async () => {
    const { app, rejections } = setup();
    expect(await rejections("cross_site")).toBe("0");
    await app.request("/echo", form({}));
    await app.request("/echo", form({}, { Origin: "https://evil.example" }));
    expect(await rejections("missing_token")).toBe("1");
    expect(await rejections("origin_mismatch")).toBe("1");
  });

  it("still refuses when the audit write fails (the log gets the failure instead)", async () => {
    const { app, deps } = setup();
    deps.audit.record = async () => {
      throw new Error("database down");
    };
    expect((await app.request("/echo", form({}))).status).toBe(403);
  });

  it("treats a malformed multipart body as carrying no token", async () => {
    const { app, deps } = setup();
    const res = await app.request("/echo", {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=x" },
      body: "not multipart at all",
    });
    expect(res.status).toBe(403);
    expect(deps.audit.inputs[0]?.details).toMatchObject({ reason: "missing_token" });
  });

  it("skips exempt paths entirely", async () => {
    const { app } = setup();
    const res = await app.request("/csp-report", {
      method: "POST",
      headers: { Origin: "null" },
      body: "{}",
    });
    expect(res.status).toBe(200);
  });
});
