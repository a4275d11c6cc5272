import { dictionary } from "@zxcvbn-ts/language-common";

/**
 * The blocklist: zxcvbn-ts's `passwords-common` dictionary (~49,000 entries
 * from real breach corpora, maintained upstream), lower-cased into a Set.
 * Built lazily on first use (decompressing it costs a few ms), then kept for
 * the life of the policy object that owns it (no module-level state).
 */
export function loadCommonPasswords(): Set<string> {
  const list = dictionary["passwords-common"];
  const set = new Set<string>();
  for (const entry of list) set.add(entry.normalize("NFKC").toLowerCase());
  return set;
}
