/*
 * Print buttons: `<button type="button" data-print hidden>`. Hidden in the
 * markup and shown here, so a browser without script never shows a button
 * that does nothing (the print stylesheet still works from its own menu).
 * A file loaded with the page's nonce, because the CSP runs no inline
 * handler: an onclick attribute would be blocked.
 */
for (const button of document.querySelectorAll("button[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
