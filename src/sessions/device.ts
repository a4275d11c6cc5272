import Bowser from "bowser";

/** "Firefox 128 on macOS", for the sessions page; "Unknown device" when the agent says nothing useful. */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  try {
    const parsed = Bowser.parse(userAgent);
    const browser = [parsed.browser.name, parsed.browser.version?.split(".")[0]]
      .filter(Boolean)
      .join(" ");
    const os = parsed.os.name ?? "";
    if (browser && os) return `${browser} on ${os}`;
    return browser || os || "Unknown device";
  } catch {
    return "Unknown device";
  }
}
