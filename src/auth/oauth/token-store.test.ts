import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/env.js";
import { systemRandom } from "../../lib/random.js";
import { NO_TOKENS } from "./identities.js";
import { createTokenStore } from "./token-store.js";

const config = (store: boolean, secret = "k".repeat(40)) =>
  loadConfig({
    env: { NODE_ENV: "test", SECRET_KEY: secret, OAUTH_STORE_TOKENS: String(store) },
    dotenv: false,
  });
const TOKENS = { accessToken: "gho_secret_access", refreshToken: "refresh-secret" };

describe("provider tokens at rest", () => {
  it("are not kept unless OAUTH_STORE_TOKENS=true", () => {
    const store = createTokenStore({ config: config(false), random: systemRandom() });
    expect(store.enabled).toBe(false);
    expect(store.seal("i1", TOKENS)).toEqual(NO_TOKENS);
    expect(store.open("i1", NO_TOKENS)).toBeUndefined();
  });

  it("are sealed with AES-256-GCM, bound to their identity and kind", () => {
    const store = createTokenStore({ config: config(true), random: systemRandom() });
    const sealed = store.seal("i1", TOKENS);
    expect(JSON.stringify(sealed)).not.toContain("secret");
    expect(store.open("i1", sealed)).toEqual(TOKENS);
    // Copied into another identity's row, or access and refresh swapped: does not open.
    expect(store.open("i2", sealed)).toBeUndefined();
    const swapped = { ...sealed, accessTokenEnc: sealed.refreshTokenEnc };
    expect(store.open("i1", swapped)).toBeUndefined();
    const badRefresh = { ...sealed, refreshTokenEnc: sealed.accessTokenEnc };
    expect(store.open("i1", badRefresh)).toBeUndefined();
    // Without a refresh token.
    const accessOnly = store.seal("i3", { accessToken: "a", refreshToken: null });
    expect(store.open("i3", accessOnly)).toEqual({ accessToken: "a", refreshToken: null });
  });

  it("another SECRET_KEY cannot open them", () => {
    const sealed = createTokenStore({ config: config(true), random: systemRandom() }).seal(
      "i1",
      TOKENS,
    );
    const other = createTokenStore({
      config: config(true, "z".repeat(40)),
      random: systemRandom(),
    });
    expect(other.open("i1", sealed)).toBeUndefined();
  });
});
