/**
 * The otpauth URI as a QR code, as a `data:image/svg+xml;base64,…` URL for
 * an <img>. Inline data keeps the secret out of any URL the browser would
 * fetch (and so out of access logs and caches); the CSP allows `img-src data:`,
 * and an SVG inside <img> never runs script. Error correction M survives a
 * slightly blurry phone camera at this size.
 */
export async function qrDataUrl(text: string): Promise<string> {
  // Imported on first use: only the 2FA set-up page draws one, and it is a good part of start-up.
  const { default: QRCode } = await import("qrcode");
  const svg = await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}
