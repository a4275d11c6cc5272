export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

export function fromBase64url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64url"));
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * A value quoted back to an operator (configuration errors, CLI usage errors):
 * control, invisible and non-ASCII characters escaped, so a newline or a bidi
 * override in the value cannot forge another line of the message; long values cut.
 */
export function quoted(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(cut).replace(
    /[^\x20-\x7e…]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
