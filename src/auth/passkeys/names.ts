import { PASSKEY_NAME_MAX } from "./store.js";

/**
 * A first name for a new passkey, so a list of them means something before
 * the user renames any: the authenticator model when its AAGUID is one of
 * the common ones below (the password managers and platforms that make most
 * passkeys), else the browser and system the passkey was created in.
 *
 * The AAGUID is what the authenticator says about itself and is not
 * attested here ('none' attestation): it names, it never authorises.
 */
// biome-ignore format: a table reads best one entry a line
const KNOWN_AAGUIDS: Readonly<Record<string, string>> = {
  "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager",
  "adce0002-35bc-c60a-648b-0b25f1f05503": "Chrome on Mac",
  "fbfc3007-154e-4ecc-8c0b-6e020557d7bd": "iCloud Keychain",
  "dd4ec289-e01d-41c9-bb89-70fa845d4bf2": "iCloud Keychain (managed)",
  "08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows Hello",
  "9ddd1817-af5a-4672-a2b9-3e3dd95000a9": "Windows Hello",
  "6028b017-b1d4-4c02-b4b3-afcdafc96bb2": "Windows Hello",
  "bada5566-a7aa-401f-bd96-45619a55120d": "1Password",
  "d548826e-79b4-db40-a3d8-11116f7e8349": "Bitwarden",
  "531126d6-e717-415c-9320-3d9aa6981239": "Dashlane",
  "0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6": "Keeper",
  "53414d53-554e-4700-0000-000000000000": "Samsung Pass",
  "cb69481e-8ff7-4039-93ec-0a2729a154a8": "YubiKey 5",
  "ee882879-721c-4913-9775-3dfcce97072a": "YubiKey 5 NFC",
};

export function knownAuthenticatorName(aaguid: string): string | undefined {
  return KNOWN_AAGUIDS[aaguid.toLowerCase()];
}

/** "Chrome on Linux", "Safari on iPhone", or "Passkey" when the user agent says nothing useful. */
export function nameFromUserAgent(userAgent: string | undefined): string {
  const ua = (userAgent ?? "").slice(0, 512);
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : undefined;
  const system = /iPhone/.test(ua)
    ? "iPhone"
    : /iPad/.test(ua)
      ? "iPad"
      : /Android/.test(ua)
        ? "Android"
        : /Windows/.test(ua)
          ? "Windows"
          : /Mac OS X|Macintosh/.test(ua)
            ? "Mac"
            : /CrOS/.test(ua)
              ? "ChromeOS"
              : /Linux/.test(ua)
                ? "Linux"
                : undefined;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Passkey";
}

export function initialPasskeyName(input: {
  aaguid: string;
  userAgent: string | undefined;
}): string {
  return (knownAuthenticatorName(input.aaguid) ?? nameFromUserAgent(input.userAgent)).slice(
    0,
    PASSKEY_NAME_MAX,
  );
}

/**
 * A name as typed: trimmed, control characters and line breaks dropped
 * (it is shown in lists and mails), at most PASSKEY_NAME_MAX characters.
 * Undefined when nothing printable is left.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

export function cleanPasskeyName(raw: string): string | undefined {
  // Control characters, zero-width and bidi overrides: they hide or reorder what a list shows.
  const name = [...raw]
    .filter((ch) => !HIDDEN.test(ch))
    .join("")
    .trim();
  if (name === "" || [...name].length > PASSKEY_NAME_MAX) return undefined;
  return name;
}
