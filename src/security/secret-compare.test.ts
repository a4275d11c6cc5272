import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Threat: a secret compared with `===` (or Buffer#equals, localeCompare)
 * returns at the first differing character, so response timing tells an
 * attacker how much of a guessed token was right, and they recover it byte by
 * byte. Every comparison of a token, MAC, signature, digest or secret must go
 * through `timingSafeEqual` (src/lib/crypto.ts).
 *
 * Source scan: any equality whose operand is named like a secret is a finding,
 * unless the other side is a plain sentinel (undefined, null, "", a typeof or
 * a length). The scanner checks itself against known-bad lines below, so it
 * cannot silently rot into a test that matches nothing.
 */
const SRC = fileURLToPath(new URL("..", import.meta.url));
/** Words that make an identifier secret-bearing, matched per camelCase/snake_case word. */
const SECRET_WORDS = new Set([
  "token",
  "hmac",
  "signature",
  "sig",
  "secret",
  "mac",
  "digest",
  "csrf",
  "hash",
  "nonce",
  "otp",
  "code",
]);
/** Public constants: comparing a secret-named variable with these leaks nothing (error codes, type names). */
const SENTINEL =
  /^(undefined|null|true|false|\d+|typeof_|.*\.length|.*\.size|"[^"]*"|'[^']*'|`[^`]*`)$/;
const EQUALITY = /([\w$.[\]"'`?!]+)\s*(===|!==|==|!=)\s*([\w$.[\]"'`?!]+)/g;
const UNSAFE_CALLS =
  /\b(\w*(token|hmac|signature|secret|mac|digest|hash)\w*)\s*\.\s*(equals|localeCompare)\s*\(/i;

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** "csrfToken", "token_hash", "a.signature" -> true; "decoded", "keyCode2" -> by word only. */
function namesSecret(operand: string): boolean {
  if (/^["'`]/.test(operand)) return false; // a string literal, not a variable
  const words = operand.split(/[^A-Za-z]+|(?=[A-Z])/).map((w) => w.toLowerCase());
  return words.some((w) => SECRET_WORDS.has(w) || SECRET_WORDS.has(w.replace(/s$/, "")));
}

/** Findings in one source text: "line: snippet". */
function findUnsafeComparisons(source: string): string[] {
  const findings: string[] = [];
  stripComments(source)
    .replace(/typeof\s+[\w$.?]+/g, "typeof_") // type checks compare a type name, not the value
    .split("\n")
    .forEach((line, i) => {
      for (const match of line.matchAll(EQUALITY)) {
        const [whole, left = "", , right = ""] = match;
        const secretSide = namesSecret(left) || namesSecret(right);
        const sentinel = SENTINEL.test(left.trim()) || SENTINEL.test(right.trim());
        if (secretSide && !sentinel) findings.push(`${i + 1}: ${whole}`);
      }
      if (UNSAFE_CALLS.test(line)) findings.push(`${i + 1}: ${line.trim()}`);
    });
  return findings;
}

/** Every source file under src/, so sessions, auth and admin code are held to the same rule. */
function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
    .map((f) => join(SRC, f));
}

describe("secret comparisons", () => {
  it("the scanner flags the mistakes it exists to catch", () => {
    const bad = [
      "if (token === expected) return true;",
      "return signature !== computed;",
      "const ok = hmac == other;",
      "if (a.csrfToken === req.body._csrf) {}",
      "return tokenHash.equals(storedHash);",
      "if (provided === session.secret) {}",
    ];
    for (const line of bad) expect(findUnsafeComparisons(line), line).toHaveLength(1);
  });

  it("the scanner lets sentinel checks through", () => {
    const fine = [
      "if (token === undefined) return;",
      'if (error.code === "UNIQUE_VIOLATION") {}',
      'if (submitted === "" || secret === undefined) return;',
      'if (typeof token !== "string") return false;',
      "if (signature.length !== 43) return;",
      "// token === expected in a comment is fine",
    ];
    for (const line of fine) expect(findUnsafeComparisons(line), line).toEqual([]);
  });

  it("no file in src/ compares a secret with ===, Buffer#equals or localeCompare", () => {
    const findings = sourceFiles().flatMap((file) =>
      findUnsafeComparisons(readFileSync(file, "utf8")).map(
        (f) => `${file.slice(SRC.length)}:${f}`,
      ),
    );
    expect(findings).toEqual([]);
  });

  it("the CSRF token module verifies through timingSafeEqual", () => {
    const source = readFileSync(join(SRC, "security", "csrf-token.ts"), "utf8");
    expect(source).toMatch(/import \{[^}]*timingSafeEqual[^}]*\} from "\.\.\/lib\/crypto\.js"/);
    expect(source.match(/timingSafeEqual\(/g)?.length).toBeGreaterThanOrEqual(2); // token and cookie signature
  });
});
