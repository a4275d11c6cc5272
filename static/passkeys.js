/*
 * Passkey buttons (src/auth/passkeys/views.tsx): `<button data-passkey=KIND
 * data-options-url data-url data-error hidden>`. Hidden in the markup and
 * shown here only when the browser can do WebAuthn, so nobody sees a button
 * that cannot work. Each ceremony is two same-origin JSON POSTs carrying the
 * page's CSRF token: the options (a challenge the server keeps for this
 * browser), then the authenticator's answer; the server replies with where
 * to go next. A file loaded with the page's nonce after the vendored
 * @simplewebauthn/browser bundle: the CSP runs no inline script.
 */
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib?.browserSupportsWebAuthn()) return;

  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch {
      return "";
    }
  };

  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrfToken(),
      },
      body: JSON.stringify(body ?? {}),
    });

  const messageOf = async (res) => {
    try {
      const body = await res.json();
      return body?.error?.message || "Something went wrong. Try again.";
    } catch {
      return "Something went wrong. Try again.";
    }
  };

  /** What the browser's refusal means to a person (the raw error text rarely helps). */
  const browserMessage = (error) => {
    if (error?.name === "NotAllowedError" || error?.name === "AbortError") {
      return "The passkey request was cancelled or timed out.";
    }
    if (error?.name === "InvalidStateError") return "This device already has a passkey here.";
    return "Your browser could not use a passkey here.";
  };

  const show = (button, text) => {
    const out = document.getElementById(button.dataset.error || "");
    if (!out) return;
    (out.querySelector("p") || out).textContent = text;
    out.hidden = text === "";
  };

  /** Runs one ceremony; `autofill` is the conditional request started on load (no button). */
  const run = async (kind, optionsUrl, url, button, autofill) => {
    const optionsRes = await post(optionsUrl);
    if (!optionsRes.ok) {
      if (button) show(button, await messageOf(optionsRes));
      return;
    }
    const optionsJSON = await optionsRes.json();
    let answer;
    try {
      answer =
        kind === "register"
          ? await lib.startRegistration({ optionsJSON })
          : await lib.startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
    } catch (error) {
      // A conditional request is aborted whenever a button starts another: not an error.
      if (button) show(button, browserMessage(error));
      return;
    }
    const res = await post(url, answer);
    if (!res.ok) {
      const text = await messageOf(res);
      if (button) show(button, text);
      else {
        const fallback = document.querySelector("button[data-passkey='sign-in']");
        if (fallback) show(fallback, text);
      }
      return;
    }
    const body = await res.json();
    window.location.assign(body.location || "/");
  };

  for (const button of document.querySelectorAll("button[data-passkey]")) {
    button.hidden = false;
    const block = button.closest("[data-passkey-block]");
    if (block) block.hidden = false;
    button.addEventListener("click", () => {
      show(button, "");
      button.disabled = true;
      run(button.dataset.passkey, button.dataset.optionsUrl, button.dataset.url, button, false)
        .catch(() => show(button, "Something went wrong. Try again."))
        .finally(() => {
          button.disabled = false;
        });
    });
  }

  // Conditional UI: passkeys offered in the email field's autofill on the sign-in page.
  const field = document.querySelector("input[autocomplete~='webauthn']");
  const signIn = document.querySelector("button[data-passkey='sign-in']");
  if (field && signIn && lib.browserSupportsWebAuthnAutofill) {
    lib
      .browserSupportsWebAuthnAutofill()
      .then((supported) => {
        if (!supported) return;
        return run("sign-in", signIn.dataset.optionsUrl, signIn.dataset.url, undefined, true);
      })
      .catch(() => {});
  }
})();
